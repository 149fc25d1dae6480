"""What a person sees in a browser: the page served at ``GET /`` (``page.py``), its static files
(``static/``, package data) and the API docs served offline (``docs.py``)."""
