# PartyAdmin's production image: gunicorn (web), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=partyadmin.settings.production \
    MEDIA_ROOT=/data/uploads

# WeasyPrint's libraries (PDFs), Chinese fonts for PDFs, gettext for the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo \
        fonts-noto-cjk gettext \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /app
# Dependencies first, from the lock file only, so code changes reuse this layer.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev

# Translations and static files are built into the image. Production settings insist on
# their secrets even here, so give throwaway values that exist only during this step.
RUN export SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=build-only BLIND_INDEX_KEY=build-only \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    && if find . -name '*.po' | grep -q .; then python manage.py compilemessages; fi \
    && python manage.py collectstatic --noinput

# Run as an unprivileged user; it may write only to var/ and the uploads volume.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin partyadmin \
    && mkdir -p /app/var /data/uploads \
    && chown partyadmin:partyadmin /app/var /data/uploads
USER partyadmin

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "scripts/healthcheck.py", "web"]
CMD ["gunicorn", "partyadmin.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
