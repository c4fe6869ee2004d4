#!/usr/bin/env bash
# Backs up the running stack: its database (pg_dump custom format) and its
# uploaded files (the media volume), as one tar holding database.dump and
# media.tar, so the two are restored together.
#
#   scripts/backup.sh FILE            # the compose project of this folder
#   COMPOSE_PROJECT_NAME=p scripts/backup.sh FILE
#
# The database is dumped first, the files copied after it: the app writes a
# file before the row that names it, so every row in the dump finds its
# files in the copy (unless its entry was deleted in the seconds between;
# `docker compose pause app` around the backup rules that out). The backup
# is written to a temporary name and renamed when complete, so a failed
# backup never leaves a truncated file that looks like a good one.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 FILE" >&2
  exit 2
fi
out=$(realpath -m -- "$1") # before the cd below changes what a relative path means
tmp="$out.partial.$$"
work=$(mktemp -d)
trap 'rm -rf "$tmp" "$work"' EXIT

cd "$(dirname "$0")/.."
docker compose exec -T db sh -c 'pg_dump --username="$POSTGRES_USER" --dbname="$POSTGRES_DB" --format=custom' >"$work/database.dump"
docker compose exec -T app tar -C /srv/media -cf - public protected >"$work/media.tar"
tar -C "$work" -cf "$tmp" database.dump media.tar
mv "$tmp" "$out"
trap 'rm -rf "$work"' EXIT
echo "backup: $(wc -c <"$out") bytes written to $out (database $(wc -c <"$work/database.dump") bytes, media $(wc -c <"$work/media.tar") bytes)"
