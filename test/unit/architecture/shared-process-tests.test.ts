/**
 * The unit test files that run in a shared process (test/support/shared-process.ts) leave nothing behind for the
 * next file: they neither mock modules, spy, fake timers, set environment variables nor choose a backend.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_PROCESS_DIRS, SHARED_PROCESS_FILES } from '../../support/shared-process.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const LEAKS: [RegExp, string][] = [
  [/\bvi\.(mock|doMock|spyOn|stubGlobal|stubEnv|useFakeTimers)\b/, 'mocks, spies or fakes'],
  [/process\.env(\.[A-Za-z_]+|\[[^\]]+\])\s*=[^=]/, 'sets an environment variable'],
  [/delete\s+process\.env/, 'deletes an environment variable'],
  [/\bsetBackend\(|selectBackend\(/, 'chooses a TensorFlow.js backend'],
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('tests in shared processes', () => {
  it('leave no module mock, spy, environment change or backend behind', () => {
    const found: string[] = [];
    const files = [
      ...SHARED_PROCESS_DIRS.flatMap((dir) => testFiles(join(ROOT, 'test', 'unit', dir))),
      ...SHARED_PROCESS_FILES.map((file) => join(ROOT, file)),
    ];
    // this file names the patterns it looks for
    for (const file of files.filter((f) => f !== import.meta.filename)) {
      const text = readFileSync(file, 'utf8');
      for (const [pattern, what] of LEAKS) if (pattern.test(text)) found.push(`${relative(ROOT, file)}: ${what}`);
    }
    expect(found).toEqual([]);
  });

  it('name single files that exist, outside the shared folders', () => {
    for (const file of SHARED_PROCESS_FILES) {
      expect(existsSync(join(ROOT, file)), file).toBe(true);
      expect(
        SHARED_PROCESS_DIRS.some((dir) => file.startsWith(`test/unit/${dir}/`)),
        file,
      ).toBe(false);
    }
  });

  it('would see a file that does', () => {
    expect(LEAKS.some(([pattern]) => pattern.test("process.env.TRANSFER_BENCH_CACHE = '/tmp/x';"))).toBe(true);
    expect(LEAKS.some(([pattern]) => pattern.test("vi.mock('node:fs');"))).toBe(true);
    expect(LEAKS.some(([pattern]) => pattern.test('expect(process.env.X === undefined)'))).toBe(false);
  });
});
