# Warta: one image for `warta run` (default), `warta serve` or `warta ingest`.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

WORKDIR /app
RUN python -m venv /opt/venv

# Dependencies and code first, data last: a seed change does not reinstall anything.
COPY pyproject.toml README.md ./
COPY config ./config
COPY database ./database
COPY ingestor ./ingestor
COPY feeds ./feeds
COPY warta ./warta
RUN pip install --no-cache-dir . \
    && useradd --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin warta \
    && mkdir -p /data \
    && chown 10001:10001 /data
COPY seeds ./seeds

# The embedded PostgreSQL (used when WARTA_DATABASE_URL is unset) and other state live in /data.
# /data is the only place written to, so the root filesystem can be read-only (docker run
# --read-only, no tmpfs): temporary files too (pgserver captures its commands' output in them).
ENV WARTA_HOST=0.0.0.0 \
    WARTA_PORT=8080 \
    WARTA_DATA_DIR=/data \
    WARTA_SEEDS=/app/seeds \
    XDG_RUNTIME_DIR=/data/run \
    TMPDIR=/data
VOLUME ["/data"]
EXPOSE 8080
USER 10001:10001

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('WARTA_PORT', '8080') + '/healthz', timeout=4)"]

# Exec form: warta is PID 1 and receives SIGTERM for a graceful stop.
CMD ["warta", "run"]
