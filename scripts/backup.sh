#!/usr/bin/env bash
# Dumps the running stack's database to a file (pg_dump custom format:
# compressed, restorable table by table with pg_restore).
#
#   scripts/backup.sh FILE            # the compose project of this folder
#   COMPOSE_PROJECT_NAME=p scripts/backup.sh FILE
#
# The dump is written to a temporary name and renamed when complete, so a
# failed backup never leaves a truncated file that looks like a good one.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 FILE" >&2
  exit 2
fi
out=$(realpath -m -- "$1") # before the cd below changes what a relative path means
tmp="$out.partial.$$"
trap 'rm -f "$tmp"' EXIT

cd "$(dirname "$0")/.."
docker compose exec -T db sh -c 'pg_dump --username="$POSTGRES_USER" --dbname="$POSTGRES_DB" --format=custom' >"$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "backup: $(wc -c <"$out") bytes written to $out"
