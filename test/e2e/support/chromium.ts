import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_PATH, missingReason } from '../../support/system.js';

/** Debian's chromium, or TRANSFER_BENCH_CHROMIUM: guard the test with `requireSystem('chromium')`. */
export async function launchChromium(): Promise<Browser> {
  const missing = missingReason('chromium');
  if (missing) throw new Error(missing);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
