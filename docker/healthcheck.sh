#!/bin/bash
# Container healthcheck with no curl in the image: exit 0 when
# http://127.0.0.1:PORT/PATH answers 2xx, 1 otherwise (Docker reads only the
# code). Bash's /dev/tcp, not a Node process: under load a Node start took
# 3-4 s of a CPU-throttled container (past the check's timeout, and Swarm
# replaced a healthy edge); this costs a few milliseconds of CPU.
#
#   docker/healthcheck.sh 3000 /readyz
set -u
if [[ $# -ne 2 || ! $1 =~ ^[0-9]+$ || $2 != /* ]]; then
  echo 'usage: docker/healthcheck.sh PORT /PATH' >&2
  exit 1
fi
if ! { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
  echo "127.0.0.1:$1: cannot connect" >&2
  exit 1
fi
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
# The status line only: "HTTP/1.1 200 OK".
if ! read -r -t 5 _ status _ <&3; then
  echo "127.0.0.1:$1$2: no answer" >&2
  exit 1
fi
if [[ $status != 2[0-9][0-9] ]]; then
  echo "127.0.0.1:$1$2: $status" >&2
  exit 1
fi
