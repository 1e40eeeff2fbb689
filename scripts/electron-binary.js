/**
 * Where the Electron binary is, found the way node_modules/electron/index.js finds it but without its
 * side effect: requiring 'electron' from Node downloads the binary when it is missing (Electron >= 41).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** @returns {{ version: string, packageDir: string, path: string | null }} path is null when not installed. */
export function findElectronBinary() {
  const packageDir = dirname(require.resolve('electron/package.json'));
  const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist');
  const candidate = relative
    ? join(distDir, relative)
    : process.env.ELECTRON_OVERRIDE_DIST_PATH
      ? join(distDir, 'electron')
      : null;
  return { version, packageDir, path: candidate && existsSync(candidate) ? candidate : null };
}
