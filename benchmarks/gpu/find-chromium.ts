import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export const CHROMIUM_ENV = 'TRANSFER_BENCH_CHROMIUM';

/** Where Chromium and Chrome are usually installed, per platform, in the order they are tried. */
export function chromiumCandidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  if (platform === 'darwin') {
    return [
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary',
    ];
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => !!r);
    return roots.flatMap((root) => [
      join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      join(root, 'Chromium', 'Application', 'chrome.exe'),
    ]);
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    '/snap/bin/chromium',
  ];
}

/**
 * The Chromium or Chrome that runs the webgpu and webgl backends outside the desktop app: $TRANSFER_BENCH_CHROMIUM,
 * else the first usual install path that exists. A UserError says what was tried and how to fix it.
 */
export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): string {
  const forced = env[CHROMIUM_ENV];
  if (forced) {
    if (!exists(forced))
      throw new UserError(`${CHROMIUM_ENV}=${forced}: no such file; point it at a Chromium or Chrome executable`);
    return forced;
  }
  const candidates = chromiumCandidates(platform, env);
  const found = candidates.find((path) => exists(path));
  if (found) return found;
  throw new UserError(
    `no Chromium or Chrome found for the webgpu/webgl backends (looked for ${candidates.join(', ')}): ` +
      `install one (Debian/Ubuntu: apt install chromium) or set ${CHROMIUM_ENV} to its executable`,
  );
}
