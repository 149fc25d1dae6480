"""Reading a request's body: multipart forms (``multipart``), the image upload of ``POST /v1/images``
as a form or JSON (``image``), and the media of a job, uploaded or by URL (``job``)."""
