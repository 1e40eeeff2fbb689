import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Helper from './system.js';

/** The helper itself: a missing component skips with its Debian package named, and fails under CI=true. */

type Helper = typeof Helper;

async function freshHelper(env: Record<string, string | undefined>): Promise<Helper> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return import('./system.js');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('requireSystem', () => {
  it('skips a missing component with a reason naming the Debian package, and records it for the end of the run', async ({
    task,
  }) => {
    const helper = await freshHelper({ CI: undefined, TRANSFER_BENCH_CHROMIUM: '/nonexistent/chromium' });
    expect(helper.missingReason('chromium')).toBe(
      'no Chromium at /nonexistent/chromium: apt-get install chromium (or set TRANSFER_BENCH_CHROMIUM to a Chromium executable)',
    );
    expect(helper.requireSystem('chromium')).toBe(false);
    expect(task.file.meta.systemSkips).toEqual([helper.missingReason('chromium')]);
    delete task.file.meta.systemSkips; // this file skips nothing: keep it out of the end-of-run list
  });

  it('fails instead of skipping under CI=true', async () => {
    const helper = await freshHelper({ CI: 'true', TRANSFER_BENCH_CHROMIUM: '/nonexistent/chromium' });
    expect(() => helper.requireSystem('chromium')).toThrow(
      'CI=true and a system component is missing: no Chromium at /nonexistent/chromium: apt-get install chromium',
    );
  });

  it('passes a component that is there, under CI=true too', async () => {
    const helper = await freshHelper({ CI: 'true', TRANSFER_BENCH_CHROMIUM: process.execPath });
    expect(helper.requireSystem('chromium')).toBe(true);
  });

  it('names the package for PostgreSQL and python3-torch', async () => {
    const helper = await freshHelper({
      CI: undefined,
      TRANSFER_BENCH_PG_BIN: '/nonexistent/pg',
      TRANSFER_BENCH_PYTHON: '/nonexistent/python3',
    });
    expect(helper.missingReason('postgresql')).toContain('apt-get install postgresql');
    expect(helper.missingReason('python3-torch')).toContain('apt-get install python3-torch');
  });

  it('reads CI=false and CI=0 as not CI', async () => {
    expect((await freshHelper({ CI: 'false' })).inCi()).toBe(false);
    expect((await freshHelper({ CI: '0' })).inCi()).toBe(false);
    expect((await freshHelper({ CI: '1' })).inCi()).toBe(true);
  });
});
