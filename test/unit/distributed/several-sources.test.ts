import { describe, expect, it } from 'vitest';
import { refuseSeveralSources } from '../../../benchmarks/distributed/distributed-run.js';
import { UserError } from '../../../benchmarks/errors.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';

describe('distributed runs and several sources', () => {
  it('refuses a suite with several sources before anything is stored, saying what to do', () => {
    const suite = loadSuite({ kind: 'builtin', name: 'mnist-sources' });
    expect(() => refuseSeveralSources(suite)).toThrow(UserError);
    expect(() => refuseSeveralSources(suite)).toThrow(/several sources .* run it without --distributed/);
  });

  it('lets a single-source suite through', () => {
    expect(() => refuseSeveralSources(loadSuite({ kind: 'builtin', name: 'quick' }))).not.toThrow();
  });
});
