import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_SOURCES_SHA256, NOT_KERNEL_SOURCES } from '../../../benchmarks/backend/kernels-version.js';

const backendDir = fileURLToPath(new URL('../../../benchmarks/backend/', import.meta.url));

/** The kernel sources, sorted, each as its path and its text with LF line ends (a Windows checkout hashes the same). */
function kernelSourcesFingerprint(): string {
  const hash = createHash('sha256');
  const files = [
    ...readdirSync(backendDir).filter((f) => f.endsWith('.ts') && !NOT_KERNEL_SOURCES.includes(f)),
    ...readdirSync(join(backendDir, 'wat'))
      .filter((f) => f.endsWith('.wat'))
      .map((f) => `wat/${f}`),
  ].sort();
  for (const file of files) {
    hash.update(`${file}\n`);
    hash.update(readFileSync(join(backendDir, file), 'utf8').replace(/\r\n/g, '\n'));
  }
  return hash.digest('hex');
}

describe('KERNELS_VERSION', () => {
  it('was reconsidered when the kernel sources last changed (their fingerprint is the one recorded beside it)', () => {
    const now = kernelSourcesFingerprint();
    expect(
      now,
      `the kernel sources of benchmarks/backend/ changed: if the change can change a result, bump KERNELS_VERSION in benchmarks/backend/kernels-version.ts (cached source models are then pretrained again); either way set KERNEL_SOURCES_SHA256 there to ${now}`,
    ).toBe(KERNEL_SOURCES_SHA256);
  });
});
