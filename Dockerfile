# Image for the scale-out stack of docker-compose.yml (web, worker and beat share it).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SICRM_VAR_DIR=/var/lib/sicrm
WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend backend
COPY workflows workflows
COPY reports reports
RUN pip install --no-cache-dir . && mkdir -p /var/lib/sicrm
EXPOSE 8000
CMD ["sicrm", "serve", "--no-worker", "--host", "0.0.0.0", "--port", "8000"]
