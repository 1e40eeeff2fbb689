import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDumpavail, splitDebian, writeDebianText } from '../../../benchmarks/datasets/text-debian.js';
import { readTextTable } from '../../../benchmarks/datasets/text-table.js';

const dir = mkdtempSync(join(tmpdir(), 'debian-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An apt-cache dumpavail listing: `sections[i]` gets i + 2 packages (so the ranking is by count), one duplicate. */
function listing(sections: string[]): string {
  const paragraphs: string[] = [];
  sections.forEach((section, i) => {
    for (let k = 0; k < i + 2; k++) {
      paragraphs.push(
        [
          `Package: ${section}-pkg${k}`,
          'Version: 1.0',
          `Description: ${section} tool number ${k}, with "quotes"`,
          ' a long description line',
          ' .',
          ' another paragraph',
          `Section: ${k === 0 ? 'contrib/' : ''}${section}`,
          'Tag: role::program',
        ].join('\n'),
      );
    }
  });
  paragraphs.push(`Package: ${sections[0]}-pkg0\nDescription: a second entry of the same name\nSection: other`);
  return paragraphs.join('\n\n') + '\n';
}

const SECTIONS = ['s01', 's02', 's03', 's04', 's05', 's06', 's07', 's08', 's09', 's10', 's11'];

describe('Debian package descriptions', () => {
  it('reads package, section (area dropped) and description (continuation lines joined), first entry per name', () => {
    const packages = parseDumpavail(listing(SECTIONS));
    expect(packages).toHaveLength(SECTIONS.reduce((n, _, i) => n + i + 2, 0));
    expect(packages[0]).toEqual({
      name: 's01-pkg0',
      section: 's01',
      description: 's01 tool number 0, with "quotes" a long description line another paragraph',
    });
  });

  it('splits the ten largest sections alternately into source and target, the same packages every time', () => {
    const packages = parseDumpavail(listing(SECTIONS));
    const split = splitDebian(packages, { source: 3, target: 2 });
    expect(split.sections.map((s) => `${s.part}:${s.name}`)).toEqual([
      'source:s11',
      'target:s10',
      'source:s09',
      'target:s08',
      'source:s07',
      'target:s06',
      'source:s05',
      'target:s04',
      'source:s03',
      'target:s02',
    ]);
    expect(split.source).toHaveLength(15);
    expect(split.target).toHaveLength(10);
    expect(new Set(split.target.map((p) => p.section))).toEqual(new Set(['s10', 's08', 's06', 's04', 's02']));
    expect(splitDebian([...packages].reverse(), { source: 3, target: 2 })).toEqual(split);
  });

  it('writes two text tables the text loader reads, and a manifest with their sha256', () => {
    const manifest = writeDebianText(dir, listing(SECTIONS), { source: 3, target: 2 }) as {
      sha256: Record<string, string>;
    };
    const target = readTextTable(join(dir, 'target.csv'), { text: 'description', label: 'section' });
    expect(target.count).toBe(10);
    expect(target.texts[0]).toContain('"quotes"');
    expect(manifest.sha256['target.csv']).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).command).toBe('apt-cache dumpavail');
  });
});
