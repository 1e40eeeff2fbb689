#!/usr/bin/env bash
# Issue 17's load test: `.ci/run` on a fresh clone of this checkout's HEAD beside `stress --cpu 8`, each in a session of
# its own (as two terminals would be), with every test file's wall and CPU time kept (TRANSFER_BENCH_TEST_COSTS), and
# every 10 s the load average and how busy the cores were since the last line (from /proc/stat: busy = not idle and
# not waiting for I/O), so that a stage's idle cores show.
#   scripts/ci-under-stress.sh [--idle] [out-dir]   (default /tmp/ci-under-stress; needs Debian's stress)
#   --idle: the same run and records without stress (the idle figure issue 17 asks for)
set -u
stress=1
if [ "${1:-}" = "--idle" ]; then
  stress=0
  shift
fi
out=${1:-/tmp/ci-under-stress}
mkdir -p "$out"
clone=$(mktemp -d /tmp/ci-stress-clone-XXXXXX)
git clone -q "$(git rev-parse --show-toplevel)" "$clone"
git -C "$clone" log --oneline -1 > "$out/commit.txt"
stress_pid=
if [ $stress = 1 ]; then
  setsid stress --cpu 8 --timeout 5400 > "$out/stress.log" 2>&1 &
  stress_pid=$!
fi
(
  read -r _ u n s i w q sq st _ < /proc/stat
  while sleep 10; do
    read -r _ u2 n2 s2 i2 w2 q2 sq2 st2 _ < /proc/stat
    busy=$(( (u2 + n2 + s2 + q2 + sq2 + st2) - (u + n + s + q + sq + st) ))
    idle=$(( (i2 + w2) - (i + w) ))
    echo "$(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) busy $(( 100 * busy / (busy + idle + 1) ))%"
    u=$u2 n=$n2 s=$s2 i=$i2 w=$w2 q=$q2 sq=$sq2 st=$st2
  done
) > "$out/load.log" 2>&1 &
load_pid=$!
start=$(date +%s)
(cd "$clone" && CI=true TRANSFER_BENCH_TEST_COSTS="$out/costs.jsonl" setsid --wait bash .ci/run > "$out/ci.log" 2>&1)
rc=$?
echo "rc=$rc seconds=$(( $(date +%s) - start ))" | tee "$out/result.txt"
kill "$load_pid" 2>/dev/null
if [ -n "$stress_pid" ]; then
  pkill -P "$stress_pid" 2>/dev/null
  kill "$stress_pid" 2>/dev/null
fi
rm -rf "$clone"
exit $rc
