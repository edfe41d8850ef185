# Redis from Debian's packages, for running compose.yaml where no registry can be reached.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
# The release pins the versions (bookworm's security updates only).
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data \
    && chown redis:redis /data
# The package creates the user, with whatever uid is free.
# hadolint ignore=DL3066
USER redis
WORKDIR /data
EXPOSE 6379
CMD ["redis-server", "--protected-mode", "no", "--dir", "/data"]
