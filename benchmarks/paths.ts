import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json, found from this file whether it runs from source or from dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('transfer-bench: cannot find package.json above ' + import.meta.url);
    dir = parent;
  }
  return dir;
}

/** Per-user data folder, the same one Electron's app.getPath('userData') gives for this app. */
export function userDataDir(): string {
  const app = 'transfer-bench';
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), app);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', app);
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), app);
}

export function defaultDbPath(): string {
  return process.env.TRANSFER_BENCH_DB ?? join(userDataDir(), 'transfer-bench.db');
}

/** Where pretrained source models are cached, keyed by dataset, architecture, epochs and seed. */
export function modelCacheDir(): string {
  return process.env.TRANSFER_BENCH_CACHE ?? join(userDataDir(), 'model-cache');
}
