# MariaDB from Debian's packages, for running compose.yaml where no registry can be reached.
# It follows the official image's environment: MARIADB_DATABASE, MARIADB_USER, MARIADB_PASSWORD.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
# The release pins the versions (bookworm's security updates only).
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mariadb-server \
    && rm -rf /var/lib/apt/lists/* /var/lib/mysql/* \
    && mkdir -p /run/mysqld \
    && chown mysql:mysql /run/mysqld /var/lib/mysql
COPY mariadb-entrypoint.sh /usr/local/bin/mariadb-entrypoint.sh
# The package creates the user, with whatever uid is free.
# hadolint ignore=DL3066
USER mysql
EXPOSE 3306
ENTRYPOINT ["/usr/local/bin/mariadb-entrypoint.sh"]
CMD ["mariadbd", "--bind-address=0.0.0.0", "--skip-name-resolve"]
