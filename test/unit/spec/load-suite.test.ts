import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../benchmarks/errors.js';
import {
  builtinSuiteNames,
  loadSuite,
  parseSuite,
  suiteSourceFromArgument,
} from '../../../benchmarks/spec/load-suite.js';

const valid = {
  name: 'ok',
  architecture: 'mlp',
  pretrain: { dataset: { kind: 'mnist', classes: [0, 1] }, epochs: 1 },
  target: { dataset: { kind: 'mnist', classes: [5, 6] }, testPerClass: 10 },
  sizes: [10, 20],
  seeds: [0],
  approaches: { scratch: { learningRate: 0.001, epochs: 2 }, finetune: { learningRate: 0.001, epochs: 2 } },
};

function parse(spec: unknown): ReturnType<typeof parseSuite> {
  return parseSuite(JSON.stringify(spec), 'suite file s.json', '/tmp');
}

function expectUserError(action: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(UserError);
  const message = (caught as Error).message;
  expect(message).not.toContain('\n');
  for (const fragment of fragments) expect(message).toContain(fragment);
}

describe('suite files', () => {
  it('accepts a valid suite and fills defaults', () => {
    const { spec } = parse(valid);
    expect(spec.validationFraction).toBe(0.2);
    expect(spec.approaches.scratch?.minSteps).toBe(300);
    expect(spec.approaches.scratch?.optimizer).toBe('adam');
  });

  it('every built-in suite is valid, and mnist-split is the default', () => {
    expect(builtinSuiteNames()).toEqual([
      'debian-text',
      'fashion-folder',
      'imagenet-fashion',
      'mnist-sources',
      'mnist-split',
      'mnist-to-fashion',
      'mobilenet-split',
      'quick',
    ]);
    for (const name of builtinSuiteNames()) expect(loadSuite({ kind: 'builtin', name }).spec.name).toBe(name);
    expect(suiteSourceFromArgument(undefined)).toEqual({ kind: 'builtin', name: 'mnist-split' });
  });

  it('names the file on malformed JSON', () => {
    expectUserError(() => parseSuite('{ "name": ', 'suite file s.json', '/tmp'), 'suite file s.json', 'not valid JSON');
  });

  it('rejects an unknown approach, naming it', () => {
    expectUserError(
      () => parse({ ...valid, approaches: { ...valid.approaches, distill: { learningRate: 1, epochs: 1 } } }),
      'approaches',
      'distill',
    );
  });

  it.each([
    [[0, 10], 'sizes.0'],
    [[-5, 10], 'sizes.0'],
    [[20, 10], 'strictly increasing'],
    [[10, 10], 'strictly increasing'],
    [[], 'sizes'],
  ])('rejects sizes %j', (sizes, fragment) => {
    expectUserError(() => parse({ ...valid, sizes }), 'field "sizes', fragment);
  });

  it('rejects a wrong type and says what was expected', () => {
    expectUserError(() => parse({ ...valid, seeds: ['a'] }), 'field "seeds.0"', 'number');
  });

  it('requires a pretrained base for fine-tuning approaches', () => {
    const { pretrain, ...withoutBase } = valid;
    expect(pretrain).toBeDefined();
    expectUserError(() => parse(withoutBase), 'approaches', 'pretrain');
  });

  it('reports a missing suite file by path', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tb-')), 'missing.json');
    expectUserError(() => loadSuite({ kind: 'file', path }), path, 'does not exist');
  });

  it('a folder given as a suite file is a user error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-'));
    expectUserError(() => loadSuite({ kind: 'file', path: dir }), `suite file ${dir} is a folder`);
  });

  it('never quotes the file in a JSON error, and says where the mistake is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-'));
    writeFileSync(join(dir, 'passwd'), 'root:x:0:0:secret-token:/root:/bin/bash\n');
    writeFileSync(join(dir, 'broken.json'), '{\n  "name": "secret-name" "x": 1\n}');
    writeFileSync(join(dir, 'typo.json'), '{ "name": tru }');
    const messageOf = (file: string): string => {
      try {
        loadSuite({ kind: 'file', path: join(dir, file) });
      } catch (error) {
        return (error as Error).message;
      }
      return 'loaded';
    };
    expect(messageOf('passwd')).toBe(
      `suite file ${join(dir, 'passwd')} is not valid JSON: it does not start with "{" or "["`,
    );
    expect(messageOf('broken.json')).toBe(
      `suite file ${join(dir, 'broken.json')} is not valid JSON: expected ',' or '}' after property value at line 2, column 25`,
    );
    expect(messageOf('typo.json')).toBe(`suite file ${join(dir, 'typo.json')} is not valid JSON: unexpected character`);
    for (const file of ['passwd', 'broken.json', 'typo.json']) {
      expect(messageOf(file)).not.toMatch(/root:|secret|tru/);
    }
  });

  it('defect 5: bounds a suite (trials, sizes, seeds, learning-rate grid, file size) with one error naming the limit and why', () => {
    // The issue's suite: 450,000 seeds in 3 MB of JSON.
    const issueSuite = JSON.stringify({ ...valid, seeds: Array.from({ length: 450_000 }, (_, i) => i) });
    expectUserError(() => parseSuite(issueSuite, 'suite file s.json', '/tmp'), 'is 3039193 bytes: at most 1 MiB');
    expectUserError(
      () => parse({ ...valid, seeds: Array.from({ length: 150 }, (_, i) => i) }),
      'field "seeds": 150 seeds; at most 100 in one suite',
      'fewer seeds',
    );
    const sizes = Array.from({ length: 60 }, (_, i) => 10 * (i + 1));
    expectUserError(() => parse({ ...valid, sizes }), 'field "sizes": 60 sizes; at most 50 in one suite');
    // 50 sizes × 100 seeds × 2 approaches: each list within its limit, the product is not.
    expectUserError(
      () =>
        parse({
          ...valid,
          sizes: sizes.slice(0, 50),
          seeds: Array.from({ length: 100 }, (_, i) => i),
        }),
      '10000 trials (2 approaches × 50 sizes × 100 seeds); at most 5000 in one suite',
    );
    const grid = Array.from({ length: 9 }, (_, i) => 0.001 * (i + 1));
    expectUserError(
      () => parse({ ...valid, approaches: { scratch: { learningRate: grid, epochs: 1 } } }),
      'field "approaches.scratch.learningRate": 9 learning rates; at most 8',
    );
    const dir = mkdtempSync(join(tmpdir(), 'tb-limits-'));
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ ...valid, description: 'x'.repeat(1024 * 1024) }));
    expectUserError(() => loadSuite({ kind: 'file', path: big }), `suite file ${big} is 1048`, 'at most 1 MiB');
    expectUserError(
      () =>
        loadSuite({
          kind: 'text',
          text: JSON.stringify({ ...valid, description: 'x'.repeat(1024 * 1024) }),
          origin: 'sent.json',
        }),
      'sent.json is 1048',
      'at most 1 MiB',
    );
  });

  it('resolves relative paths against the suite file folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-'));
    writeFileSync(join(dir, 's.json'), JSON.stringify(valid));
    expect(loadSuite({ kind: 'file', path: join(dir, 's.json') }).baseDir).toBe(dir);
  });
});

describe('suites with several sources', () => {
  const { pretrain, ...withoutSource } = valid;
  const sources = [
    { name: 'near', pretrain },
    { name: 'brought', pretrainedModel: { path: 'model/model.json', cutLayer: 'features' } },
  ];

  it('accepts "sources", each with a source task or a brought model', () => {
    const { spec } = parse({ ...withoutSource, sources });
    expect(spec.sources?.map((s) => s.name)).toEqual(['near', 'brought']);
    expect(spec.sources?.[0]!.pretrain?.learningRate).toBe(0.001);
    expect(spec.pretrain).toBeUndefined();
  });

  it('still loads the single-source forms unchanged', () => {
    expect(parse(valid).spec.sources).toBeUndefined();
    const { pretrain: _p, ...rest } = valid;
    const brought = parse({ ...rest, pretrainedModel: { path: 'm.json', cutLayer: 'x' } }).spec;
    expect(brought.pretrainedModel).toEqual({ path: 'm.json', cutLayer: 'x' });
    expect(brought.sources).toBeUndefined();
  });

  it('refuses "sources" together with "pretrain"', () => {
    expectUserError(() => parse({ ...valid, sources }), 'field "sources"', 'not both');
  });

  it('refuses a source with neither or both kinds, naming it', () => {
    expectUserError(
      () => parse({ ...withoutSource, sources: [{ name: 'empty' }] }),
      'field "sources.0.pretrain"',
      'exactly one of "pretrain"',
    );
    expectUserError(
      () => parse({ ...withoutSource, sources: [{ ...sources[1], pretrain }] }),
      'field "sources.0.pretrain"',
    );
  });

  it('refuses duplicate names and names that cannot be part of a trial key', () => {
    expectUserError(
      () => parse({ ...withoutSource, sources: [sources[0], { ...sources[1], name: 'near' }] }),
      'field "sources"',
      'source names must be unique',
    );
    expectUserError(
      () => parse({ ...withoutSource, sources: [{ ...sources[0], name: 'a@b' }] }),
      'field "sources.0.name"',
    );
    expectUserError(() => parse({ ...withoutSource, sources: [] }), 'field "sources"');
  });

  it('needs a source for the transfer approaches', () => {
    expectUserError(() => parse(withoutSource), 'field "approaches"', '"sources"');
  });
});
