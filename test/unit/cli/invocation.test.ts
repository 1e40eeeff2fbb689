import { describe, expect, it } from 'vitest';
import { adaptHints, commandLine, detectInvocation, shellWord } from '../../../benchmarks/cli/invocation.js';
import { checkSuiteArgument, editDistance, similarNames } from '../../../benchmarks/cli/did-you-mean.js';

describe('the commands we print are the ones the user would type', () => {
  it('names the program as it was called', () => {
    expect(detectInvocation(['node', '/repo/bin/transfer-bench.js', 'run'], {}, '/repo').program).toBe(
      'node bin/transfer-bench.js',
    );
    expect(detectInvocation(['node', '/usr/bin/transfer-bench', 'run'], {}, '/home/me').program).toBe('transfer-bench');
    expect(
      detectInvocation(['node', '/x/node_modules/.bin/transfer-bench', 'run'], { npm_lifecycle_event: 'npx' }, '/')
        .program,
    ).toBe('npx transfer-bench');
    expect(detectInvocation(['node', '/repo/bin/transfer-bench.js'], {}, '/elsewhere').program).toBe(
      'node /repo/bin/transfer-bench.js',
    );
  });

  it('carries an explicit --db, in either spelling, and only to commands that read a database', () => {
    const inv = detectInvocation(['node', '/usr/bin/transfer-bench', 'run', 'quick', '--db', 'my results.db'], {}, '/');
    expect(inv.db).toBe('my results.db');
    expect(commandLine(inv, 'export 3 --out results/')).toBe(
      "transfer-bench export 3 --out results/ --db 'my results.db'",
    );
    expect(commandLine(inv, 'init data/')).toBe('transfer-bench init data/');
    expect(commandLine(inv, 'migrate --db x.db')).toBe('transfer-bench migrate --db x.db');
    expect(detectInvocation(['node', 'tb', 'list', '--db=postgres://u@h/d'], {}, '/').db).toBe('postgres://u@h/d');
    expect(detectInvocation(['node', 'tb', 'list'], {}, '/').db).toBeNull();
  });

  it('rewrites the commands quoted in a message from a lower layer', () => {
    const inv = { program: 'npx transfer-bench', db: 'b.db' };
    expect(adaptHints('no suite with id 4 in this database (see `transfer-bench list`)', inv)).toBe(
      'no suite with id 4 in this database (see `npx transfer-bench list --db b.db`)',
    );
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
  });
});

describe('did you mean', () => {
  it('counts edits, a swap of neighbours as one', () => {
    expect(editDistance('quik', 'quick')).toBe(1);
    expect(editDistance('qiuck', 'quick')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests close built-in names only', () => {
    const names = ['quick', 'mnist-split', 'mnist-to-fashion'];
    expect(similarNames('quik', names)).toEqual(['quick']);
    expect(similarNames('mnist-splt', names)).toEqual(['mnist-split']);
    expect(similarNames('cifar', names)).toEqual([]);
    expect(() => checkSuiteArgument('quik', names)).toThrow(/did you mean "quick"\?/);
    expect(() => checkSuiteArgument('quik.json', names)).toThrow(/did you mean "quick"\?/);
    expect(() => checkSuiteArgument('some/dir/quik.json', names)).not.toThrow();
    expect(() => checkSuiteArgument('quick', names)).not.toThrow();
  });
});
