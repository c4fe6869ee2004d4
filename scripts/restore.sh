#!/usr/bin/env bash
# Restores a dump made by backup.sh into the stack's database, replacing the
# objects it contains (pg_restore --clean --if-exists), in one transaction:
# a restore that fails changes nothing.
#
#   scripts/restore.sh FILE
#   COMPOSE_PROJECT_NAME=p scripts/restore.sh FILE
#
# Into a fresh stack: `docker compose up -d --wait db`, restore, then
# `docker compose up -d --wait` (migrate then finds the schema current).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 FILE" >&2
  exit 2
fi
in=$(realpath -m -- "$1") # before the cd below changes what a relative path means
if [ ! -r "$in" ]; then
  echo "restore: cannot read $in" >&2
  exit 1
fi

cd "$(dirname "$0")/.."
docker compose exec -T db sh -c \
  'pg_restore --username="$POSTGRES_USER" --dbname="$POSTGRES_DB" --clean --if-exists --no-owner --single-transaction --exit-on-error' <"$in"
echo "restore: $in restored"
# The edge keeps the reads the app marks shareable (a second fresh, then
# served stale while it refreshes them): until then it may answer with rows
# from before the restore. Its cache lives in memory only.
echo "restore: the edge may answer reads it kept from before for up to 31 s; \`docker compose restart edge\` drops them at once"
