#!/usr/bin/env bash
# Issue 17's load test: `.ci/run` on a fresh clone of this checkout's HEAD beside `stress --cpu 8`, each in a session of
# its own (as two terminals would be), with every test file's wall and CPU time kept (TRANSFER_BENCH_TEST_COSTS).
#   scripts/ci-under-stress.sh [out-dir]     (default /tmp/ci-under-stress; needs Debian's stress)
set -u
out=${1:-/tmp/ci-under-stress}
mkdir -p "$out"
clone=$(mktemp -d /tmp/ci-stress-clone-XXXXXX)
git clone -q "$(git rev-parse --show-toplevel)" "$clone"
git -C "$clone" log --oneline -1 > "$out/commit.txt"
setsid stress --cpu 8 --timeout 5400 > "$out/stress.log" 2>&1 &
stress_pid=$!
( while sleep 30; do echo "$(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; done ) > "$out/load.log" 2>&1 &
load_pid=$!
start=$(date +%s)
(cd "$clone" && CI=true TRANSFER_BENCH_TEST_COSTS="$out/costs.jsonl" setsid --wait bash .ci/run > "$out/ci.log" 2>&1)
rc=$?
echo "rc=$rc seconds=$(( $(date +%s) - start ))" | tee "$out/result.txt"
kill "$load_pid" 2>/dev/null
pkill -P "$stress_pid" 2>/dev/null; kill "$stress_pid" 2>/dev/null
rm -rf "$clone"
exit $rc
