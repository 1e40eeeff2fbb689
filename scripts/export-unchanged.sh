#!/bin/sh
# Issue 17's "byte-identical export": runs the default suite (mnist-split) reduced to sizes 10 and 25, one seed and
# pretraining of one epoch, once with each of two built checkouts, exports both and compares the CSV files with the
# time columns (wall_seconds*, cpu_seconds, elapsed_seconds, started_at, finished_at) left out, read with csv-parse (trials.csv has
# quoted cells with commas). Exit 0 when every file is identical.
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
cd "$after"
node --input-type=module -e '
  import fs from "node:fs";
  import path from "node:path";
  import { parse } from "csv-parse/sync";
  import { stringify } from "csv-stringify/sync";
  // columns that are times (they differ run to run): wall_seconds* (with the summary intervals of wall time),
  // cpu_seconds, elapsed_seconds, started_at, finished_at
  const isTime = (h) => /^(wall|cpu)_seconds/.test(h) || ["elapsed_seconds", "started_at", "finished_at"].includes(h);
  const [a, b] = process.argv.slice(1);
  const strip = (file) => {
    const rows = parse(fs.readFileSync(file, "utf8"), { relax_column_count: false });
    const keep = rows[0].map((h, i) => (isTime(h) ? -1 : i)).filter((i) => i >= 0);
    return stringify(rows.map((r) => keep.map((i) => r[i])));
  };
  let same = true;
  for (const name of fs.readdirSync(a).sort()) {
    const csv = name.endsWith(".csv");
    const x = csv ? strip(path.join(a, name)) : fs.readFileSync(path.join(a, name), "utf8");
    const y = csv ? strip(path.join(b, name)) : fs.readFileSync(path.join(b, name), "utf8");
    console.log(`${x === y ? "identical" : "DIFFERENT"}  ${name}${csv ? " (time columns left out)" : ""}`);
    same &&= x === y;
  }
  process.exit(same ? 0 : 1);
' "$work/before" "$work/after"
