# syntax=docker/dockerfile:1
# One image for every Concierge process; the command picks the process:
#   python -m services.warranty | services.orders | services.notifications | services.gateway
# Health checks live in docker-compose.yml / the Kubernetes probes (they differ per process).

ARG PYTHON_IMAGE=python:3.11-slim

########## builder: resolve and install everything into /opt/venv ##########
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# Compilers only here, in case a dependency has no wheel for the platform; none reach runtime.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# Dependencies first (from pyproject.toml only), so code edits do not reinstall them.
COPY pyproject.toml ./
RUN python - <<'PY' > /tmp/requirements.txt
import tomllib
with open("pyproject.toml", "rb") as fh:
    print("\n".join(tomllib.load(fh)["project"]["dependencies"]))
PY
RUN pip install -r /tmp/requirements.txt

# Then the project itself (no dependency resolution: they are already installed).
COPY README.md ./
COPY shared ./shared
COPY services ./services
COPY concierge_cli ./concierge_cli
RUN pip install --no-deps . \
    && python -c "import services, shared, concierge_cli"

########## runtime: the venv on a clean slim image, as a non-root user ##########
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN groupadd --system --gid 10001 concierge \
    && useradd --system --uid 10001 --gid concierge --home-dir /app --shell /usr/sbin/nologin concierge \
    && mkdir -p /app/var \
    && chown -R concierge:concierge /app

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
# Numeric so Kubernetes' runAsNonRoot can verify it without resolving names.
USER 10001:10001

EXPOSE 8000 8080 8081
CMD ["python", "-m", "services.gateway"]
