"""The wire format of an analysis: what the API answers and a job stores, built from the domain values."""
