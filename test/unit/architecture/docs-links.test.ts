import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README is the way into the documentation: it stays short (the detail lives under docs/), every file under docs/
 * is reachable from it, and no relative link in the README or a docs page points at a file that is not there.
 */
const root = join(import.meta.dirname, '../../..');
const README_MAX_LINES = 250;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** Relative link targets of a Markdown text (inline links and images), without their #fragment. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s#]+)(?:#[^)\s]*)?\)/g)]
    .flatMap((match) => (match[1] === undefined ? [] : [match[1]]))
    .filter((target) => !/^[a-z]+:/.test(target));
}

const markdownFiles = [join(root, 'README.md'), ...filesUnder(join(root, 'docs')).filter((f) => f.endsWith('.md'))];

describe('README and docs/', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  it(`keeps the README to at most ${README_MAX_LINES} lines`, () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('links every file under docs/ from the README', () => {
    const linked = new Set(relativeLinks(readme));
    const unlinked = filesUnder(join(root, 'docs'))
      .map((file) => relative(root, file))
      .filter((file) => !linked.has(file));
    expect(unlinked).toEqual([]);
  });

  it('has no relative link to a missing file', () => {
    const broken = markdownFiles.flatMap((file) =>
      relativeLinks(readFileSync(file, 'utf8'))
        .filter((target) => !existsSync(join(dirname(file), target)))
        .map((target) => `${relative(root, file)} → ${target}`),
    );
    expect(broken).toEqual([]);
  });
});
