#!/usr/bin/env bash
# Creates DocuVault's two database roles and its database on a fresh PostgreSQL.
#
# Run by the official postgres image from /docker-entrypoint-initdb.d/ (only
# when the data directory is empty), as the superuser, over the local socket.
# It mirrors shared/src/db/roles.ts; keep the two in step. Safe to run again:
# existing roles get their password reset, nothing else is duplicated.
#
#   docuvault_owner  migration role: owns the database and the schema
#                    (DATABASE_MIGRATE_URL)
#   docuvault_app    runtime role: SELECT/INSERT/UPDATE/DELETE only
#                    (DATABASE_URL)
#
# Environment: DOCUVAULT_OWNER_PASSWORD, DOCUVAULT_APP_PASSWORD (required);
# POSTGRES_USER, POSTGRES_DB (set by the postgres image).
set -Eeo pipefail

: "${DOCUVAULT_OWNER_PASSWORD:?DOCUVAULT_OWNER_PASSWORD must be set}"
: "${DOCUVAULT_APP_PASSWORD:?DOCUVAULT_APP_PASSWORD must be set}"

# Passwords travel as psql variables (:'name' quotes them as literals), never
# spliced into SQL text by the shell, and are not echoed.
psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet \
  --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  -v owner_password="$DOCUVAULT_OWNER_PASSWORD" \
  -v app_password="$DOCUVAULT_APP_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE docuvault_owner LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'docuvault_owner')\gexec
ALTER ROLE docuvault_owner WITH LOGIN PASSWORD :'owner_password';

SELECT 'CREATE ROLE docuvault_app LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'docuvault_app')\gexec
ALTER ROLE docuvault_app WITH LOGIN PASSWORD :'app_password';

SELECT 'CREATE DATABASE docuvault OWNER docuvault_owner'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'docuvault')\gexec

REVOKE ALL ON DATABASE docuvault FROM PUBLIC;
GRANT CONNECT ON DATABASE docuvault TO docuvault_owner, docuvault_app;

\connect docuvault

GRANT USAGE ON SCHEMA public TO docuvault_app;
ALTER DEFAULT PRIVILEGES FOR ROLE docuvault_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO docuvault_app;
ALTER DEFAULT PRIVILEGES FOR ROLE docuvault_owner IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO docuvault_app;
SQL

echo "create-roles: docuvault_owner, docuvault_app and database docuvault are ready"
