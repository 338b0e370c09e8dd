#!/bin/sh
# docker compose: creates one database per service (RENTEZY_DATABASES, comma-separated)
# when the PostgreSQL volume is first initialised (/docker-entrypoint-initdb.d).
set -eu
for db in $(printf '%s' "$RENTEZY_DATABASES" | tr ',' ' '); do
    echo "creating database $db"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -c "CREATE DATABASE \"$db\" OWNER \"$POSTGRES_USER\""
done
