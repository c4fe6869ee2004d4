#!/usr/bin/env bash
# Restores a backup made by backup.sh: the database, replacing the objects
# it contains (pg_restore --clean --if-exists) in one transaction, so a
# restore that fails changes nothing; then the uploaded files into the
# media volume, as the app's user. Files the backup lacks are left alone
# (the app's sweeper deletes those no entry names). A plain pg_dump file
# (a backup from before media) restores the database only.
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
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$(dirname "$0")/.."
if tar -tf "$in" database.dump >/dev/null 2>&1; then
  tar -C "$work" -xf "$in" database.dump media.tar
  dump="$work/database.dump"
else
  dump="$in"
fi
docker compose exec -T db sh -c \
  'pg_restore --username="$POSTGRES_USER" --dbname="$POSTGRES_DB" --clean --if-exists --no-owner --single-transaction --exit-on-error' <"$dump"
echo "restore: database restored from $in"
if [ -f "$work/media.tar" ]; then
  # A one-off container of the app service: the volume mounted as in the
  # stack, written as the image's non-root user, whether or not app runs.
  docker compose run --rm --no-deps -T --entrypoint tar app -C /srv/media -xf - <"$work/media.tar"
  echo "restore: media restored from $in"
fi
# The edge keeps the reads the app marks shareable (a second fresh, then
# served stale while it refreshes them): until then it may answer with rows
# from before the restore. Its cache lives in memory only.
echo "restore: the edge may answer reads it kept from before for up to 31 s; \`docker compose restart edge\` drops them at once"
