# syntax=docker/dockerfile:1
#
# Production image for Werkplaats: one image for web (gunicorn), worker and beat (Celery).
# Configuration comes from the environment at run time (see .env.example); nothing secret
# is baked in. Build with `docker build -t werkplaats .` or `docker compose build`.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# An unprivileged user owns only what must be writable at run time (var/ and media/).
RUN groupadd --system --gid 10001 werkplaats \
 && useradd --system --uid 10001 --gid werkplaats --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin werkplaats

# Runtime dependencies only (no [dev] extra), pinned by constraints.txt. They are read from
# pyproject.toml before the source is copied, so this layer is rebuilt only when the
# dependency list or the pins change. The project itself runs from /app (PYTHONPATH below),
# so templates and static files next to the code are found through BASE_DIR.
COPY pyproject.toml constraints.txt /tmp/build/
RUN python -m venv "$VIRTUAL_ENV" \
 && python -c "import tomllib; deps = tomllib.load(open('/tmp/build/pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/build/requirements.txt', 'w').write('\n'.join(deps) + '\n')" \
 && pip install -c /tmp/build/constraints.txt -r /tmp/build/requirements.txt \
 && pip check \
 && rm -rf /tmp/build

WORKDIR /app
COPY . /app

ENV PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=werkplaats.settings \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    PRIVATE_MEDIA_ROOT=/app/private \
    WEB_CONCURRENCY=3

# Static files are collected (hashed and compressed for whitenoise) at build time. The
# dummy key exists only in this RUN step's environment: it is not an ENV and not in the image.
RUN DEBUG=false SECRET_KEY=collectstatic-build-only-not-a-real-secret \
        python manage.py collectstatic --noinput \
 && mkdir -p /app/var /app/media /app/private \
 && chown werkplaats:werkplaats /app/var /app/media /app/private

USER werkplaats

EXPOSE 8000

# gunicorn reads its worker count from WEB_CONCURRENCY (default 3 above; about 2 x CPU + 1
# is the usual rule). Access log to stdout, error log to stderr. Worker heartbeat files in
# /dev/shm so a slow container filesystem cannot make workers look dead.
CMD ["gunicorn", "werkplaats.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", \
     "--error-logfile", "-", \
     "--worker-tmp-dir", "/dev/shm"]
