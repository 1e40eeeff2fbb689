#!/usr/bin/env node
/**
 * Gets better-sqlite3 built for Electron's ABI into build/electron-native/better_sqlite3.node, leaving the
 * Node build in node_modules (CLI, tests) untouched. The app loads it through better-sqlite3's
 * `nativeBinding` option (electron/native-binding.ts).
 *
 * 1. prebuild-install --runtime electron: downloads the prebuilt binary better-sqlite3 publishes on GitHub;
 * 2. else node-gyp with the Electron headers from https://electronjs.org/headers (needs a C++ toolchain).
 * Both need the network once; afterwards a stamp file makes this a no-op until Electron or better-sqlite3 change.
 *
 * Usage: node scripts/electron-native.js [--force]
 * Env: TRANSFER_BENCH_SQLITE_BINDING=/path/better_sqlite3.node skips all of this (the app loads that file).
 *      npm_config_arch / --arch=<arch> to build for another architecture (packaging).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'build', 'electron-native');
const outFile = join(outDir, 'better_sqlite3.node');
const stampFile = join(outDir, 'stamp.json');
const workDir = join(outDir, 'work');

const args = process.argv.slice(2);
const force = args.includes('--force');
const archArg = args.find((a) => a.startsWith('--arch='))?.slice('--arch='.length);

const electronVersion = require('electron/package.json').version;
const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
const platform = process.platform;
const arch = archArg ?? process.env.npm_config_arch ?? process.arch;
const wanted = { electron: electronVersion, betterSqlite3: sqliteVersion, platform, arch };
const what = `better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (${platform}-${arch})`;

function log(message) {
  console.log(`electron-native: ${message}`);
}

function fail(message) {
  console.error(`\nelectron-native: ${message}\n`);
  process.exit(1);
}

if (process.env.TRANSFER_BENCH_SQLITE_BINDING) {
  const given = process.env.TRANSFER_BENCH_SQLITE_BINDING;
  if (!existsSync(given)) fail(`TRANSFER_BENCH_SQLITE_BINDING points at ${given}, which does not exist.`);
  log(`using TRANSFER_BENCH_SQLITE_BINDING=${given}`);
  process.exit(0);
}

if (!force && existsSync(outFile) && existsSync(stampFile)) {
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    if (Object.entries(wanted).every(([key, value]) => stamp[key] === value)) {
      log(`${what} is ready (${outFile})`);
      process.exit(0);
    }
  } catch {
    // Rebuild below.
  }
}

/** npm passes its config to scripts as npm_config_*; a configured nodedir (Node's headers) must not leak into an Electron build. */
function childEnv(extra) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url|build_from_source)$/i.test(key)) delete env[key];
  }
  return { ...env, ...extra };
}

function run(label, command, commandArgs, env) {
  log(`${label}: ${command} ${commandArgs.join(' ')}`);
  const result = spawnSync(command, commandArgs, {
    cwd: workDir,
    env,
    stdio: 'inherit',
    shell: process.platform === 'win32',
    timeout: 15 * 60 * 1000,
  });
  return result.status === 0;
}

const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

log(`preparing ${what}`);
rmSync(workDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
// Keeps this generated folder out of git without touching the repository's .gitignore.
writeFileSync(join(outDir, '.gitignore'), '*\n');
cpSync(sqliteDir, workDir, {
  recursive: true,
  filter: (source) =>
    !source.startsWith(join(sqliteDir, 'build')) && !source.includes(`${join(sqliteDir, 'node_modules')}`),
});

const built = join(workDir, 'build', 'Release', 'better_sqlite3.node');
const attempts = [];

const prebuiltOk = run(
  'prebuilt binary',
  bin('prebuild-install'),
  ['--runtime', 'electron', '--target', electronVersion, '--arch', arch, '--platform', platform, '--verbose'],
  childEnv({}),
);
attempts.push(
  prebuiltOk && existsSync(built)
    ? null
    : `no prebuilt binary could be downloaded from https://github.com/WiseLibs/better-sqlite3/releases (v${sqliteVersion}, electron ABI for ${electronVersion})`,
);

if (!existsSync(built)) {
  const gypOk = run(
    'build from source',
    bin('node-gyp'),
    [
      'rebuild',
      '--release',
      `--target=${electronVersion}`,
      `--arch=${arch}`,
      '--dist-url=https://electronjs.org/headers',
    ],
    childEnv({
      npm_config_runtime: 'electron',
      npm_config_target: electronVersion,
      npm_config_disturl: 'https://electronjs.org/headers',
    }),
  );
  attempts.push(
    gypOk && existsSync(built)
      ? null
      : 'building from source failed (it needs the Electron headers from https://electronjs.org/headers and a C++ toolchain: python3, make and g++ on Linux, Xcode command line tools on macOS, Visual Studio Build Tools on Windows)',
  );
}

if (!existsSync(built)) {
  rmSync(workDir, { recursive: true, force: true });
  fail(
    [
      `could not get ${what}:`,
      ...attempts.filter(Boolean).map((a) => `  - ${a}`),
      '',
      'Both ways need network access once (github.com or electronjs.org). What to do:',
      '  - on a machine with internet access, run `npm run prepare:electron` again (npm start runs it);',
      '  - or build better_sqlite3.node for this Electron elsewhere and set TRANSFER_BENCH_SQLITE_BINDING=/path/to/better_sqlite3.node;',
      '  - or use the same app in a browser: `npx transfer-bench serve`, then open the URL it prints.',
      'The CLI and the tests use the Node build in node_modules and are not affected.',
    ].join('\n'),
  );
}

copyFileSync(built, outFile);
writeFileSync(stampFile, `${JSON.stringify({ ...wanted, builtAt: new Date().toISOString() }, null, 2)}\n`);
rmSync(workDir, { recursive: true, force: true });
log(`${what} ready: ${outFile}`);
