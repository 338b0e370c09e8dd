# check=error=true
# RentEzy: one image per service, built from the uv workspace (docs/deployment.md).
#
#   docker build --build-arg SERVICE=booking_service -t rentezy/booking-service:0.1.0 .
#   docker build --build-arg SERVICE=api_gateway --target gateway -t rentezy/api-gateway:0.1.0 .
#
# SERVICE is the service's directory. The image holds only what that service's
# pyproject.toml declares (its locked dependencies and rentezy-common, no dev tools), as
# `.rentezy/venvs/<dir>` does for `make up`. The process is chosen by the command:
#   web (default), relay, worker, beat, or a consumer's name: that line of the service's
#   Procfile (docker/entrypoint.sh); anything else runs as given, e.g.
#   `python manage.py migrate`.
# Runs as uid 10001 with a read-only root filesystem in mind: only /tmp is written.

ARG PYTHON_IMAGE=python:3.11-slim

# ---- builder: the service's virtual environment -------------------------------------
FROM ${PYTHON_IMAGE} AS builder
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/venv
WORKDIR /src

# The workspace's shape: the lock and every member's pyproject.toml (uv reads them all).
# Until one of these changes, the dependency layer below is reused.
COPY pyproject.toml uv.lock ./
COPY libs/rentezy_common/pyproject.toml libs/rentezy_common/
COPY api_gateway/pyproject.toml api_gateway/
COPY auth_service/pyproject.toml auth_service/
COPY property_service/pyproject.toml property_service/
COPY booking_service/pyproject.toml booking_service/
COPY rent_service/pyproject.toml rent_service/
COPY chat_service/pyproject.toml chat_service/
COPY notification_service/pyproject.toml notification_service/
COPY search_service/pyproject.toml search_service/
COPY search_consumer/pyproject.toml search_consumer/
COPY schedule_visit/pyproject.toml schedule_visit/

ARG SERVICE
RUN if [ ! -f "${SERVICE:-none}/pyproject.toml" ]; then \
        echo "build with --build-arg SERVICE=<a service directory>, got '${SERVICE}'" >&2; exit 1; \
    fi

# Third-party dependencies only (wheels: nothing is compiled).
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package "rentezy-$(echo "${SERVICE}" | tr _ -)"

# The shared library, installed as a wheel (not editable: /src is not in the image).
COPY libs/ libs/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package "rentezy-$(echo "${SERVICE}" | tr _ -)"

# The service's code, byte-compiled, and its registry entry (rentezy_common.platform):
# SERVICE_NAME and PORT defaults for the entrypoint.
COPY ${SERVICE}/ /app/service/
RUN /app/venv/bin/python -m compileall -q /app/service \
    && /app/venv/bin/python -m rentezy_common.platform \
       | awk -v dir="${SERVICE}" '$2 == dir { printf ": \"${SERVICE_NAME:=%s}\"\n: \"${PORT:=%s}\"\n", $1, $3 }' \
       > /app/service.env \
    && test -s /app/service.env

# ---- frontend: the web app, served by the gateway image (--target gateway) -----------
# HOOK for frontend/ (the React app, added by another change). Until it lands this stage
# only provides an empty /out. The change that adds frontend/ replaces the RUN below
# with the app's build and leaves the built files in /out, e.g.:
#   FROM node:22-slim AS frontend
#   WORKDIR /frontend
#   COPY frontend/package.json frontend/package-lock.json ./
#   RUN npm ci
#   COPY frontend/ ./
#   RUN npm run build && cp -r dist /out
FROM ${PYTHON_IMAGE} AS frontend
RUN mkdir -p /out

# ---- app: what every service image is -----------------------------------------------
# No compilers, no uv, no build tools: the slim base, the venv and the service's code.
FROM ${PYTHON_IMAGE} AS app
# /var/lib/rentezy: the one place besides /tmp a service may write to, e.g. photos
# with PROPERTY_MEDIA_STORAGE=filesystem on a mounted volume (docker compose).
RUN groupadd --system --gid 10001 rentezy \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp \
       --shell /usr/sbin/nologin rentezy \
    && install -d -o 10001 -g 10001 /var/lib/rentezy /var/lib/rentezy/media
COPY --from=builder /app /app
COPY docker/entrypoint.sh /usr/local/bin/rentezy-entrypoint
COPY docker/probe.sh /usr/local/bin/rentezy-probe
# RENTEZY_ENV defaults to production: a deployment that forgets to say refuses dev
# secrets rather than running with them (compose sets dev explicitly).
ENV PATH=/app/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    STATE_DIR=/tmp/rentezy \
    BIND_HOST=0.0.0.0 \
    RENTEZY_ENV=production
WORKDIR /app/service
USER 10001:10001
ENTRYPOINT ["rentezy-entrypoint"]
CMD ["web"]

# ---- gateway: the gateway's image, with the web app ---------------------------------
FROM app AS gateway
COPY --from=frontend /out/ /app/frontend/

# ---- service: every other service (the default target) ------------------------------
FROM app AS service
