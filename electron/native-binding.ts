import { app } from 'electron';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Overrides where the Electron build of better-sqlite3 is loaded from. */
export const SQLITE_BINDING_ENV = 'TRANSFER_BENCH_SQLITE_BINDING';

/** What scripts/electron-native.mjs writes next to the module. */
interface NativeStamp {
  electron: string;
  betterSqlite3: string;
  platform: string;
  arch: string;
}

/**
 * TRANSFER_BENCH_SQLITE_BINDING, from a checkout only: it loads native code into the main process, so a packaged app
 * ignores it (anyone who can set the environment could otherwise run code as the app).
 */
function bindingOverride(): string | null {
  const override = process.env[SQLITE_BINDING_ENV];
  if (!override) return null;
  if (app.isPackaged) {
    console.warn(`transfer-bench: ${SQLITE_BINDING_ENV} is ignored in the packaged app`);
    return null;
  }
  return override;
}

/**
 * better-sqlite3 in node_modules is built for Node's ABI (CLI, tests); the app loads its own build through
 * better-sqlite3's `nativeBinding` option. From a checkout it is build/electron-native/better_sqlite3.node
 * (made by `npm run prepare:electron`); packaged, electron-builder copies that folder to resources/electron-native.
 */
export function sqliteBindingPath(): string {
  const override = bindingOverride();
  if (override) return override;
  const dir = app.isPackaged
    ? join(process.resourcesPath, 'electron-native')
    : join(app.getAppPath(), 'build', 'electron-native');
  return join(dir, 'better_sqlite3.node');
}

/** A message saying what is wrong with the native module and how to fix it, or null when it looks usable. */
export function checkSqliteBinding(path: string): string | null {
  const fix = app.isPackaged
    ? 'Reinstall Transfer Bench.'
    : `Run \`npm run prepare:electron\` (it downloads a prebuilt better-sqlite3 for Electron ${process.versions.electron}, or builds one with the Electron headers), or set ${SQLITE_BINDING_ENV} to a better_sqlite3.node built for this Electron.`;
  if (!existsSync(path)) return `The Electron build of better-sqlite3 is missing (${path}).\n\n${fix}`;
  if (!app.isPackaged && process.env[SQLITE_BINDING_ENV]) return null;
  try {
    const stamp = JSON.parse(readFileSync(join(path, '..', 'stamp.json'), 'utf8')) as Partial<NativeStamp>;
    if (
      stamp.electron !== process.versions.electron ||
      stamp.platform !== process.platform ||
      stamp.arch !== process.arch
    ) {
      return `${path} was built for Electron ${stamp.electron} on ${stamp.platform}-${stamp.arch}, but this is Electron ${process.versions.electron} on ${process.platform}-${process.arch}.\n\n${fix}`;
    }
  } catch {
    // No stamp (e.g. copied by hand): let loading decide.
  }
  return null;
}
