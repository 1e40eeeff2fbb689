#!/usr/bin/env node
/**
 * `npm start`'s last step: makes sure the Electron binary (Electron >= 41 downloads it on first launch, not at
 * npm install) and the Electron build of better-sqlite3 are there, then launches the app; when something is
 * missing it says what and how to get it.
 * Extra arguments go to Electron: `npm start -- --inspect=9229`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function fail(lines) {
  console.error(`\ntransfer-bench: ${lines.join('\n')}\n`);
  process.exit(1);
}

/** No display (a server, CI, a container): the main job runs in the terminal instead — the CLI's default suite. */
function runDefaultSuiteHeadless() {
  console.log(
    'transfer-bench: no display (DISPLAY and WAYLAND_DISPLAY are unset), so the app cannot open a window;\n' +
      '  running the default suite in the terminal instead. For the app in a browser: `npx transfer-bench serve`.\n',
  );
  const run = spawn(process.execPath, [join(root, 'bin', 'transfer-bench.js'), 'run'], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => run.kill(signal));
  run.on('exit', (code) => process.exit(code ?? 1));
}

if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  runDefaultSuiteHeadless();
} else {
  launchElectron();
}

function launchElectron() {
  for (const [file, fix] of [
    ['dist/electron/main.js', 'npm run build'],
    ['dist/electron/preload.cjs', 'npm run build:preload'],
    ['dist/renderer/index.html', 'npm run build:renderer'],
  ]) {
    if (!existsSync(join(root, file)))
      fail([`${file} is missing: run \`${fix}\` (or \`npm start\`, which runs every build step).`]);
  }

  let electron = findElectronBinary();
  if (!electron.path) {
    console.log(
      `transfer-bench: downloading the Electron ${electron.version} binary (first launch only, about 100 MB)…`,
    );
    const install = spawnSync(process.execPath, [join(electron.packageDir, 'install.js')], { stdio: 'inherit' });
    electron = findElectronBinary();
    if (install.status !== 0 || !electron.path) {
      fail([
        `the Electron ${electron.version} binary is not installed and could not be downloaded.`,
        '',
        'Electron 41 and later download their binary on first launch (from github.com/electron/electron/releases),',
        'not during `npm install`, so a machine without that access has the npm package but no Electron to run.',
        'What to do:',
        '  - with internet access: `npm start` downloads it once (or run `npx install-electron`);',
        '  - through a mirror or proxy: set ELECTRON_MIRROR (e.g. https://npmmirror.com/mirrors/electron/), or',
        '    HTTPS_PROXY with ELECTRON_GET_USE_PROXY=1, then `npm start`;',
        `  - offline: unpack electron-v${electron.version}-${process.platform}-${process.arch}.zip (from that releases page)`,
        '    into a folder and set ELECTRON_OVERRIDE_DIST_PATH to it;',
        '  - or use the same app in a browser: `npx transfer-bench serve`, then open the URL it prints.',
      ]);
    }
  }

  // The app's own build of better-sqlite3 (a no-op once it is there).
  const native = spawnSync(process.execPath, [join(root, 'scripts', 'electron-native.js')], { stdio: 'inherit' });
  if (native.status !== 0) process.exit(native.status ?? 1);

  const child = spawn(electron.path, [root, ...process.argv.slice(2)], { stdio: 'inherit', windowsHide: false });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => fail([`could not start Electron (${electron.path}): ${error.message}`]));
  child.on('exit', (code, signal) => {
    if (signal) console.error(`transfer-bench: Electron exited with signal ${signal}`);
    process.exit(code ?? 1);
  });
}
