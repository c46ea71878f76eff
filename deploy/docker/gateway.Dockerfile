# The gateway's image: the Python gateway, serving the web portal built in a Node stage.
#
#   docker build -f deploy/docker/gateway.Dockerfile -t aos-gateway .
#
# Same rules as service.Dockerfile (the pattern of every Python image): uv from uv.lock without
# development dependencies, an unprivileged numeric user, nothing written outside /tmp.
ARG PYTHON_IMAGE=docker.io/library/python:3.11-slim-bookworm
ARG NODE_IMAGE=docker.io/library/node:22-bookworm-slim

FROM ${NODE_IMAGE} AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npm run build

FROM ${PYTHON_IMAGE} AS build
ARG UV_VERSION=0.13.9
ENV UV_FROZEN=1 \
    UV_NO_DEV=1 \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_SYSTEM_CERTS=1
RUN python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs/servicekit/pyproject.toml libs/servicekit/
COPY proto/pyproject.toml proto/
COPY contracts/pyproject.toml contracts/
COPY gateway/pyproject.toml gateway/
COPY services/identity/pyproject.toml services/identity/
COPY services/billing/pyproject.toml services/billing/
COPY services/air/pyproject.toml services/air/
COPY services/programming/pyproject.toml services/programming/
COPY services/vci-agent/pyproject.toml services/vci-agent/
RUN /opt/uv/bin/uv sync --no-install-workspace --package aos-gateway
COPY libs/servicekit libs/servicekit
COPY proto proto
COPY gateway gateway
RUN /opt/uv/bin/uv sync --package aos-gateway \
    && python3 -m compileall -q libs/servicekit/src proto/src gateway/src

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="aos-gateway"
RUN groupadd --system --gid 10001 aos \
    && useradd --system --uid 10001 --gid aos --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin aos
COPY --from=build --chown=root:root /app /app
COPY --from=web --chown=root:root /web/dist /app/web/dist
ENV PATH=/app/.venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TMPDIR=/tmp \
    GATEWAY_WEB_ROOT=/app/web/dist \
    GATEWAY_PORTAL_REQUIRED=true
WORKDIR /app
USER 10001:10001
ENTRYPOINT ["/app/.venv/bin/python", "-m", "gateway"]
CMD ["serve"]
