#!/bin/bash
# Does the stated upper bound hold on a busy machine? `init` + `run` on 100 real MNIST digits (20 per class of 5-9)
# with a 100-digit source (0-4), beside `stress --cpu N` (Debian's stress, started in its own session as another
# user's work would be), timed against the bound `run` states. Usage: scripts/estimate-under-stress.sh <dir> [N]
# (N = 4 by default; 0 runs it without stress). Needs `npm run build` first. Prints the bound, the run's time and the
# load; a sample of the load every 30 s goes to <dir>/load.log.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
DIR=$1
HOGS=${2:-4}
mkdir -p "$DIR"
cd "$DIR"
[ -d target ] || node "$REPO/scripts/write-digit-folders.js" target 20 5 6 7 8 9
[ -d source ] || node "$REPO/scripts/write-digit-folders.js" source 20 0 1 2 3 4
(while true; do echo "$(date +%T) $(cut -d' ' -f1-4 /proc/loadavg)"; sleep 30; done) > load.log &
SAMPLER=$!
STRESS=
if [ "$HOGS" -gt 0 ]; then
  setsid stress --cpu "$HOGS" --timeout 7200 > /dev/null 2>&1 &
  STRESS=$!
  sleep 150 # the 1-minute load average catches up with the hogs
fi
trap 'kill $SAMPLER 2>/dev/null; [ -n "$STRESS" ] && pkill -f "stress --cpu $HOGS" || true' EXIT
uptime
START=$(date +%s)
node "$REPO/bin/transfer-bench.js" init target --source source --out digits.json --force --backend wasm
node "$REPO/bin/transfer-bench.js" run digits.json --backend wasm --db estimate.db 2>&1 | tee run.log
echo "init + run: $(($(date +%s) - START)) s; the bound run stated:"
grep -m1 '^estimate' run.log
uptime
