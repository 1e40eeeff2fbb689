import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

/** Throws one message listing every build output the end-to-end tests need and how to make it. */
export function requireBuilt(files: readonly (readonly [string, string])[]): void {
  const missing = files.filter(([file]) => !existsSync(join(REPO_ROOT, file)));
  if (missing.length > 0) {
    throw new Error(
      `end-to-end tests need a build first:\n${missing.map(([file, fix]) => `  ${file} is missing: run \`${fix}\``).join('\n')}`,
    );
  }
}
