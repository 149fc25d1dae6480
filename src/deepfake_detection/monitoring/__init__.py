"""What the service reports about itself: Prometheus metrics (``metrics.py``) and JSON logs
(``logs.py``). Used by the API and by the job workers; imports neither."""
