#!/usr/bin/env bash
# How long a killed consumer keeps its partitions: a member consumes, is killed with
# SIGKILL (no goodbye to the group), a new member joins, and the time from the kill to
# the new member consuming is printed, for each session timeout given (seconds).
# Needs the broker: npm run kafka:start. Usage: npm run bench:restart -- [6 10 30]
set -euo pipefail
cd "$(dirname "$0")/../.."
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-19092}}"
logs=$(mktemp -d)
trap 'pkill -f infra/kafka/bench/member.ts || true; rm -rf "$logs"' EXIT
for session in "${@:-6 10 30}"; do
  for s in $session; do
    topic="bench-restart-$$-$s-$RANDOM"
    node --import tsx infra/kafka/bench/member.ts "$topic" "$s" > "$logs/a" 2>&1 & a=$!
    until grep -q JOINED "$logs/a"; do sleep 0.2; done
    node --import tsx infra/kafka/bench/publish.ts "$topic" one
    until grep -q "GOT one" "$logs/a"; do sleep 0.2; done
    kill -9 "$a"; killed=$(date +%s%3N)
    node --import tsx infra/kafka/bench/member.ts "$topic" "$s" > "$logs/b" 2>&1 & b=$!
    sleep 1
    node --import tsx infra/kafka/bench/publish.ts "$topic" two
    until grep -q "GOT two" "$logs/b"; do sleep 0.2; done
    got=$(grep "GOT two" "$logs/b" | awk '{print $3}')
    echo "session ${s}s: a new member consumes $((got - killed)) ms after the old one was killed"
    kill "$b"; wait "$b" 2>/dev/null || true
  done
done
