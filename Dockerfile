# One image for every elearn process: api (gunicorn), worker and beat (Celery), the one-shot
# migrate and bucket-init jobs. See docker-compose.yml and the README's "Production topology".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ELEARN_INSTANCE_PATH=/var/lib/elearn

# DejaVu: the certificate PDFs embed a Unicode font (Cyrillic names must render).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home elearn \
    && mkdir -p /app /var/lib/elearn \
    && chown elearn:elearn /var/lib/elearn

WORKDIR /app
COPY pyproject.toml README.md ./
COPY elearn ./elearn
COPY migrations ./migrations
COPY course_content ./course_content
COPY docker ./docker
# Editable, so that the migrations folder beside the package is the one Flask-Migrate finds.
RUN pip install --editable .

USER elearn
EXPOSE 8000
# sync workers, two per CPU (docker/gunicorn.conf.py; why: docs/performance.md).
CMD ["gunicorn", "--config", "docker/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "elearn.wsgi:app"]
