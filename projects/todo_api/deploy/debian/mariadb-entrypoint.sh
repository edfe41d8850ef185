#!/bin/sh
# First start on an empty volume: create the system tables, the database and its user, with the
# server listening on no port meanwhile; then run the server as PID 1. A marker written last
# makes a start that was interrupted half-way begin again from an empty folder.
set -eu
data=/var/lib/mysql
if [ ! -f "$data/.initialised" ]; then
  find "$data" -mindepth 1 -delete
  # root without a password, over the socket only, for the setup below; locked again after.
  mariadb-install-db --datadir="$data" --skip-test-db --auth-root-authentication-method=normal >/dev/null
  mariadbd --skip-networking --socket=/run/mysqld/init.sock &
  pid=$!
  until mariadb-admin --socket=/run/mysqld/init.sock --user=root ping --silent 2>/dev/null; do
    sleep 0.2
  done
  root_password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  mariadb --socket=/run/mysqld/init.sock --user=root <<SQL
CREATE DATABASE IF NOT EXISTS \`${MARIADB_DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${MARIADB_USER}'@'%' IDENTIFIED BY '${MARIADB_PASSWORD}';
GRANT ALL PRIVILEGES ON \`${MARIADB_DATABASE}\`.* TO '${MARIADB_USER}'@'%';
ALTER USER 'root'@'localhost' IDENTIFIED BY '${root_password}';
SQL
  mariadb-admin --socket=/run/mysqld/init.sock --user=root --password="$root_password" shutdown
  wait "$pid"
  touch "$data/.initialised"
fi
exec "$@"
