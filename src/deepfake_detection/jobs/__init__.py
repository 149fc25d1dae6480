"""Asynchronous jobs: one task function, a job store, and interchangeable backends that run it."""
