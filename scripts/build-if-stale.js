#!/usr/bin/env node
/**
 * `npm start`'s first step: builds only when a source file is newer than the build (or a build output is missing),
 * and then says so in one line and shows the build's output only if it fails. Nothing is printed when the build is
 * up to date, so the app starts at once.
 * `node scripts/build-if-stale.js --check` prints what is stale and exits 1 if anything is, without building.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What `npm run build` writes, one file per build step. */
const OUTPUTS = [
  'dist/benchmarks/cli/main.js',
  'dist/vendor/stdlib.cjs',
  'dist/electron/main.js',
  'dist/electron/preload.cjs',
  'dist/renderer/index.html',
  'dist/gpu/page-worker.js',
];
const SOURCE_DIRS = ['benchmarks', 'electron', 'renderer'];
const SOURCE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest file under `dir` (node_modules and dist skipped): [path, mtime ms]. */
function newest(dir, best = ['', 0]) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) best = newest(path, best);
    else if (entry.isFile()) {
      const mtime = statSync(path).mtimeMs;
      if (mtime > best[1]) best = [path, mtime];
    }
  }
  return best;
}

/** Why the build is stale, or null when it is up to date. */
export function staleReason(base = root) {
  const missing = OUTPUTS.find((file) => !existsSync(join(base, file)));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...OUTPUTS.map((file) => statSync(join(base, file)).mtimeMs));
  let source = ['', 0];
  for (const dir of SOURCE_DIRS) if (existsSync(join(base, dir))) source = newest(join(base, dir), source);
  for (const file of SOURCE_FILES) {
    const path = join(base, file);
    if (existsSync(path) && statSync(path).mtimeMs > source[1]) source = [path, statSync(path).mtimeMs];
  }
  return source[1] > built ? `${relative(base, source[0])} changed since the last build` : null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reason = staleReason();
  if (process.argv.includes('--check')) {
    if (reason) console.log(reason);
    process.exit(reason ? 1 : 0);
  }
  if (reason) {
    console.log(`transfer-bench: building (${reason})…`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const build = spawnSync(npm, ['run', 'build'], {
      cwd: root,
      encoding: 'utf8',
      shell: process.platform === 'win32',
    });
    if (build.status !== 0) {
      process.stdout.write(build.stdout ?? '');
      process.stderr.write(build.stderr ?? '');
      console.error('transfer-bench: the build failed (its output is above)');
      process.exit(build.status ?? 1);
    }
  }
}
