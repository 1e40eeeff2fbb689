#!/bin/sh
# Issue 17's "byte-identical export": runs the default suite (mnist-split) reduced to sizes 10 and 25, one seed and
# pretraining of one epoch, once with each of two built checkouts, exports both and compares the CSV files with the
# time columns (wall_seconds, wall_seconds_mean, elapsed_seconds, started_at, finished_at) left out. Exit 0 when every
# file is identical.
#   scripts/export-unchanged.sh <checkout before> <checkout after>     (each built: npm run build)
set -eu
before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
work=$(mktemp -d)
node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  Object.assign(s, { name: s.name + "-reduced", sizes: [10, 25], seeds: [0] });
  s.pretrain.epochs = 1;
  require("fs").writeFileSync(process.argv[2], JSON.stringify(s, null, 2));
' "$after/benchmarks/suites/mnist-split.json" "$work/suite.json"
for side in before after; do
  root=$before; [ "$side" = after ] && root=$after
  TRANSFER_BENCH_CACHE="$work/cache-$side" node "$root/bin/transfer-bench.js" run "$work/suite.json" \
    --db "$work/$side.db" --backend wasm --workers 1 >/dev/null
  TRANSFER_BENCH_CACHE="$work/cache-$side" node "$root/bin/transfer-bench.js" export latest \
    --db "$work/$side.db" --out "$work/$side" >/dev/null
done
node -e '
  const fs = require("fs"), path = require("path");
  const TIME = new Set(["wall_seconds", "wall_seconds_mean", "elapsed_seconds", "started_at", "finished_at"]);
  const [a, b] = process.argv.slice(1);
  const strip = (file) => {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const header = lines[0].split(",");
    const keep = header.map((h, i) => (TIME.has(h) ? -1 : i)).filter((i) => i >= 0);
    return lines.map((l) => { const c = l.split(","); return keep.map((i) => c[i]).join(","); }).join("\n");
  };
  let same = true;
  for (const name of fs.readdirSync(a).sort()) {
    const x = name.endsWith(".csv") ? strip(path.join(a, name)) : fs.readFileSync(path.join(a, name), "utf8");
    const y = name.endsWith(".csv") ? strip(path.join(b, name)) : fs.readFileSync(path.join(b, name), "utf8");
    console.log(`${x === y ? "identical" : "DIFFERENT"}  ${name}${name.endsWith(".csv") ? " (time columns left out)" : ""}`);
    same &&= x === y;
  }
  process.exit(same ? 0 : 1);
' "$work/before" "$work/after"
