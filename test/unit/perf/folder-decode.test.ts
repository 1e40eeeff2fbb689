import { describe, expect, it } from 'vitest';
import { formatFolderDecode, measureFolderDecode } from '../../../benchmarks/perf/folder-decode.js';

describe('bench:perf folder decode', () => {
  it('decodes every written image, reads them back from the cache, and prints the line', async () => {
    const speed = await measureFolderDecode(60);
    expect(speed.images).toBe(60);
    expect(speed.decodePerSecond).toBeGreaterThan(0);
    // Reading the cache is a file read, far faster than decoding.
    expect(speed.cachedPerSecond).toBeGreaterThan(speed.decodePerSecond);
    expect(formatFolderDecode(speed)[0]).toMatch(/^folder decode: \d+ images\/s \(60 MNIST digits/);
  });
});
