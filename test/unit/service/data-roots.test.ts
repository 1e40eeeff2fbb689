import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDataRoots, loadSuiteUnderRoots, resolveUnderRoots } from '../../../benchmarks/service/data-roots.js';
import { UserError } from '../../../benchmarks/errors.js';

describe('resolveUnderRoots', () => {
  let base: string;
  let root: string;
  let secret: string;

  beforeAll(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'tb-roots-')));
    root = join(base, 'data');
    mkdirSync(join(root, 'suites'), { recursive: true });
    writeFileSync(join(root, 'suites', 'a.json'), '{}');
    mkdirSync(join(base, 'data2'));
    writeFileSync(join(base, 'data2', 'b.json'), '{}');
    secret = join(base, 'secret.txt');
    writeFileSync(secret, 'password');
    symlinkSync(secret, join(root, 'link-out.json'));
    symlinkSync(join(root, 'suites'), join(base, 'root-link'));
  });

  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('returns the real path of a file or folder under a root', () => {
    expect(resolveUnderRoots(join(root, 'suites', 'a.json'), [root])).toBe(join(root, 'suites', 'a.json'));
    expect(resolveUnderRoots(join(root, 'suites'), [root])).toBe(join(root, 'suites'));
    expect(resolveUnderRoots(join(root, 'suites', '..', 'suites', 'a.json'), [root])).toBe(
      join(root, 'suites', 'a.json'),
    );
  });

  it('accepts a root given through a symbolic link', () => {
    expect(resolveUnderRoots(join(base, 'root-link', 'a.json'), [join(base, 'root-link')])).toBe(
      join(root, 'suites', 'a.json'),
    );
  });

  it('refuses paths outside every root, with ".." and in a sibling folder sharing the prefix', () => {
    for (const path of [secret, join(root, '..', 'secret.txt'), join(base, 'data2', 'b.json'), '/etc/passwd']) {
      expect(() => resolveUnderRoots(path, [root])).toThrow(UserError);
      expect(() => resolveUnderRoots(path, [root])).toThrow(`is outside the data folders this server reads (${root})`);
    }
  });

  it('refuses a symbolic link inside a root that leads outside it', () => {
    expect(() => resolveUnderRoots(join(root, 'link-out.json'), [root])).toThrow('is outside the data folders');
  });

  it('does not tell whether a file outside the roots exists', () => {
    const message = (path: string): string => {
      try {
        resolveUnderRoots(path, [root]);
        return 'accepted';
      } catch (error) {
        return (error as Error).message.replace(path, '<path>');
      }
    };
    expect(message(secret)).toBe(message(join(base, 'no-such-file')));
  });

  it('says "not found" for a missing file under a root, and refuses relative paths and empty roots', () => {
    expect(() => resolveUnderRoots(join(root, 'missing.json'), [root])).toThrow(
      `${join(root, 'missing.json')} not found`,
    );
    expect(() => resolveUnderRoots('suites/a.json', [root])).toThrow('is a relative path');
    expect(() => resolveUnderRoots(join(root, 'suites', 'a.json'), [])).toThrow('none was given');
  });

  it('checkDataRoots accepts folders and refuses a missing folder or a file', () => {
    expect(checkDataRoots([root])).toEqual([root]);
    expect(() => checkDataRoots([join(base, 'nope')])).toThrow(`--data-root ${join(base, 'nope')}: no such folder`);
    expect(() => checkDataRoots([secret])).toThrow('is a file: give a folder');
  });
});

describe('loadSuiteUnderRoots', () => {
  const suite = (extra: object): string =>
    JSON.stringify({
      name: 's',
      architecture: 'mlp',
      target: { dataset: { kind: 'mnist', classes: [5, 6] }, testPerClass: 10 },
      sizes: [10],
      seeds: [0],
      approaches: { scratch: { learningRate: 0.01, epochs: 1 } },
      ...extra,
    });
  let root: string;

  beforeAll(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'tb-roots-suite-')));
    mkdirSync(join(root, 'model'));
    writeFileSync(join(root, 'model', 'model.json'), '{}');
    writeFileSync(join(root, 'ok.json'), suite({ pretrainedModel: { path: 'model/model.json', cutLayer: 'x' } }));
    writeFileSync(join(root, 'out.json'), suite({ pretrainedModel: { path: '/etc/passwd', cutLayer: 'x' } }));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loads a suite file whose model is under the root', () => {
    expect(loadSuiteUnderRoots({ kind: 'file', path: join(root, 'ok.json') }, [root]).baseDir).toBe(root);
  });

  it('refuses a suite whose model is outside the roots', () => {
    expect(() => loadSuiteUnderRoots({ kind: 'file', path: join(root, 'out.json') }, [root])).toThrow(
      '/etc/passwd is outside the data folders',
    );
  });

  it('refuses an image folder whose class folder or image is a link leading outside the roots', () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'tb-roots-outside-')));
    try {
      mkdirSync(join(outside, 'cats'));
      writeFileSync(join(outside, 'secret.png'), 'x');
      const images = join(root, 'images');
      mkdirSync(join(images, 'dogs'), { recursive: true });
      writeFileSync(join(images, 'dogs', 'a.png'), 'x');
      const folderSuite = (dir: string) =>
        suite({
          target: { dataset: { kind: 'folder', dir, imageSize: [8, 8], channels: 1 }, testPerClass: 1 },
        });
      const load = () => loadSuiteUnderRoots({ kind: 'text', text: folderSuite(images), origin: 'f.json' }, [root]);
      expect(load().spec.name).toBe('s');
      symlinkSync(join(outside, 'secret.png'), join(images, 'dogs', 'b.png'));
      expect(load).toThrow(`${join(images, 'dogs', 'b.png')} is outside the data folders`);
      rmSync(join(images, 'dogs', 'b.png'));
      symlinkSync(join(outside, 'cats'), join(images, 'cats'));
      expect(load).toThrow(`${join(images, 'cats')} is outside the data folders`);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('runs built-in suites and text suites without data files under any roots', () => {
    expect(loadSuiteUnderRoots({ kind: 'builtin', name: 'quick' }, []).spec.name).toBe('quick');
    expect(loadSuiteUnderRoots({ kind: 'text', text: suite({}), origin: 'x.json' }, []).spec.name).toBe('s');
  });
});
