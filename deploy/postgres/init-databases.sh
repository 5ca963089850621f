#!/bin/sh
# Runs once, on the first start of an empty PostgreSQL data volume (docker-entrypoint-initdb.d).
# One database per service, each owned by its own role, so a service can never read or migrate
# another service's tables. Passwords come from the container environment:
#   WARRANTY_DB_PASSWORD, ORDERS_DB_PASSWORD, NOTIFICATIONS_DB_PASSWORD
set -eu

create_service_database() {
    service="$1"
    password="$2"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
        --set=svc="$service" --set=pw="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'svc', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'svc', :'svc') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'svc') \gexec
SQL
}

create_service_database warranty "${WARRANTY_DB_PASSWORD:?WARRANTY_DB_PASSWORD is required}"
create_service_database orders "${ORDERS_DB_PASSWORD:?ORDERS_DB_PASSWORD is required}"
create_service_database notifications "${NOTIFICATIONS_DB_PASSWORD:?NOTIFICATIONS_DB_PASSWORD is required}"
