FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
      ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/* && useradd --create-home --uid 1000 app
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -c requirements.lock -e . \
    && DEBUG=0 HTTPS_ONLY=0 SECRET_KEY=collectstatic-only-not-a-runtime-secret-0123456789abcdef \
       SEPA_DEBTOR_NAME=collectstatic-only SEPA_DEBTOR_IBAN=NL81INGB0008675309 SEPA_DEBTOR_BIC=INGBNL2A \
       python manage.py collectstatic --noinput
RUN mkdir -p /data/media /data/backups && chown app /data/media /data/backups
USER app
EXPOSE 8000
# Refuse to serve when the deploy checks fail or the database is ahead of the code
# (buurtplatform.migrationguard), then hand the process to gunicorn (SIGTERM reaches it).
CMD ["sh", "-c", "python manage.py check --deploy --database default --fail-level ERROR && exec gunicorn buurtplatform.wsgi -b 0.0.0.0:8000 -w 3 --access-logfile -"]
