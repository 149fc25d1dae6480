"""API keys: the key record (``key.py``), the stores that keep them hashed (``sqlite_store.py``,
``redis_store.py``) and the choice between them (``base.py``)."""
