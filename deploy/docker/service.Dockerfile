# One image per Python service: identity, billing, air or programming.
#
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=air -t aos-air .
#
# The build context is the repository root (what it leaves out: .dockerignore there). The
# image runs as an unprivileged numeric user, writes nothing outside /tmp (so the root
# filesystem may be read-only), and holds no development dependency. Its entry point is the
# service's command line: `serve` by default, `migrate` for the migration Job.
ARG PYTHON_IMAGE=docker.io/library/python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
ARG UV_VERSION=0.13.9
# Workspace members stay where the lock file says they are; the service's migrations are found
# beside its sources (services/<service>/migrations), so the install is editable, from /app.
ENV UV_FROZEN=1 \
    UV_NO_DEV=1 \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_SYSTEM_CERTS=1
# UV_SYSTEM_CERTS: uv trusts the base image's CA store, as pip does, so that a build behind a
# TLS-inspecting proxy works once the base image trusts that proxy's CA.
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=<identity|billing|air|programming>"; exit 1; } \
    && python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
WORKDIR /app
# Dependencies first (their layer survives a change of our code): uv needs every workspace
# member's pyproject.toml to read the lock, not their sources.
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
RUN /opt/uv/bin/uv sync --no-install-workspace --package "aos-${SERVICE}"
COPY libs/servicekit libs/servicekit
COPY proto proto
COPY contracts contracts
COPY services/${SERVICE} services/${SERVICE}
RUN /opt/uv/bin/uv sync --package "aos-${SERVICE}" \
    && python3 -m compileall -q libs/servicekit/src proto/src contracts/src "services/${SERVICE}/src" \
    && printf '#!/bin/sh\nexec /app/.venv/bin/python -m %s "$@"\n' "${SERVICE}" > /app/service \
    && chmod 0555 /app/service

FROM ${PYTHON_IMAGE}
ARG SERVICE
LABEL org.opencontainers.image.title="aos-${SERVICE}" \
      org.opencontainers.image.source="https://github.com/aos/aos"
# A numeric user, so that Kubernetes' runAsNonRoot can check it without a passwd lookup.
RUN groupadd --system --gid 10001 aos \
    && useradd --system --uid 10001 --gid aos --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin aos
COPY --from=build --chown=root:root /app /app
# Bytecode is compiled at build time; with a read-only root nothing may be written beside it.
ENV PATH=/app/.venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TMPDIR=/tmp
WORKDIR /app
USER 10001:10001
ENTRYPOINT ["/app/service"]
CMD ["serve"]
