# nginx from Debian's packages, for running compose.yaml where no registry can be reached.
# Like the official image, it serves what /etc/nginx/conf.d holds; Debian's default site is removed.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
# The release pins the versions (bookworm's security updates only).
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
