import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../benchmarks/errors.js';
import { FOLDER_WRITE_HINTS, writeFiles } from '../../../benchmarks/service/write-files.js';

const files = [
  { name: 'a.csv', content: 'x\r\n1\r\n' },
  { name: 'b.csv', content: 'y\r\n2\r\n' },
];

function failure(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a failure');
}

describe('writeFiles', () => {
  it('writes every file, creating the folder, and leaves no temporary file', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tb-write-')), 'nested', 'out');
    expect(writeFiles(dir, files)).toEqual([join(dir, 'a.csv'), join(dir, 'b.csv')]);
    expect(readdirSync(dir).sort()).toEqual(['a.csv', 'b.csv']);
    expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe('y\r\n2\r\n');
  });

  it('a folder where a file should go: one clear line naming the path, no temporary file left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-write-'));
    mkdirSync(join(dir, 'b.csv'));
    const error = failure(() => writeFiles(dir, files));
    expect(error.message).toBe(
      `cannot write ${join(dir, 'b.csv')}: a folder has that name: remove it or give another --out (EISDIR)`,
    );
    expect(readdirSync(dir).sort()).toEqual(['a.csv', 'b.csv']);
  });

  it('a file where the folder should go: one clear line naming the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-write-'));
    writeFileSync(join(dir, 'out'), 'not a folder');
    const error = failure(() => writeFiles(join(dir, 'out'), files));
    expect(error.message).toBe(
      `cannot write ${join(dir, 'out')}: a file is in the way of the folder: give another --out (EEXIST)`,
    );
    expect(failure(() => writeFiles(join(dir, 'out', 'deeper'), files)).message).toMatch(
      /^cannot write .*out\/deeper: a file is in the way of the folder: give another --out \((ENOTDIR|EEXIST)\)$/,
    );
    expect(readdirSync(dir)).toEqual(['out']);
  });
});

describe('writeFiles with the app folder hints', () => {
  it('names the folder dialog instead of --out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-write-'));
    mkdirSync(join(dir, 'a.csv'));
    expect(failure(() => writeFiles(dir, files, FOLDER_WRITE_HINTS)).message).toBe(
      `cannot write ${join(dir, 'a.csv')}: a folder has that name: remove it or choose another folder (EISDIR)`,
    );
    expect(readdirSync(dir)).toEqual(['a.csv']);
  });
});
