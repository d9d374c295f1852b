# The icn_graph API as a container image: `icn-graph serve` as a non-root user, installed from
# this checkout with the versions pinned in constraints.txt. docs/operations.md ("Deployment")
# shows how to run it: secrets and every other setting come from the environment at run time,
# and `icn-graph db upgrade` runs (in a one-off container) before a new image serves.
#
#   docker build -t icn-graph .
#   docker build --build-arg PLUGINS="plugins_contrib/icn-kudos" -t icn-graph .   # with plugins

FROM python:3.11-slim AS build
# Plugin folders of this checkout to install beside core, space-separated (default: none).
ARG PLUGINS=""
WORKDIR /src
COPY pyproject.toml setup.py README.md constraints.txt ./
COPY alembic ./alembic
COPY icn_graph ./icn_graph
COPY plugins_contrib ./plugins_contrib
RUN python -m venv /opt/icn \
    && /opt/icn/bin/python -m pip install --no-cache-dir --quiet -c constraints.txt . ${PLUGINS}

FROM python:3.11-slim
RUN groupadd --system --gid 10001 icn \
    && useradd --system --uid 10001 --gid icn --home-dir /srv/icn --create-home icn
COPY --from=build /opt/icn /opt/icn
ENV PATH="/opt/icn/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    ICN_HOST=0.0.0.0 \
    ICN_PORT=8000
# The working directory holds the mail folder (var/mail) when ICN_SMTP_HOST is empty.
WORKDIR /srv/icn
USER icn
EXPOSE 8000
# Liveness only (/healthz): /readyz answers 503 while the database is down or behind, and an
# unhealthy container may be restarted, which would not help.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('ICN_PORT', '8000') + '/healthz', timeout=2)"]
# serve drains on SIGTERM: /readyz 503 at once, requests in flight get ICN_SHUTDOWN_GRACE_SECONDS
# (10); give `docker stop --time` more than that.
STOPSIGNAL SIGTERM
CMD ["icn-graph", "serve"]
