# The one image every wirefeed service runs (docker-compose.yml): CLI, Celery workers, beat and Flower.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY config ./config
COPY scrapers ./scrapers
COPY worker ./worker
RUN pip install -c constraints.txt . \
    && useradd --create-home --uid 10001 wirefeed \
    && mkdir -p /data && chown wirefeed /data

# Celery refuses nothing as root but warns, and a worker parsing hostile HTML has no business being root.
USER wirefeed
CMD ["wirefeed", "--help"]
