/**
 * Debian's package descriptions as two text tables, for the built-in `debian-text` suite: real text every machine
 * with apt has. `apt-cache dumpavail` lists every package apt knows; each becomes a row (package, description,
 * section), the Description field as text (Packages files carry the one-line synopsis; the long descriptions are in
 * Translation files) and the Section as label, its archive area dropped ("contrib/utils" is "utils").
 *
 * The ten largest sections (most packages; ties by name) are split like digits in mnist-split: the 1st, 3rd, 5th,
 * 7th and 9th largest are the source task, the 2nd, 4th, … the target, so no section is in both. Each class keeps
 * its first `perClass` packages in the order of sha256(package name), so the same package list always gives the same
 * tables. The package list differs between machines (release, mirrors, updates): `manifest.json` records the counts
 * and each table's sha256, to tell whether two machines ran on the same data.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { UserError, errorMessage } from '../errors.js';
import { packageRoot } from '../paths.js';

/** Where the built-in suite expects the tables. */
export const DEFAULT_DEBIAN_TEXT = join(packageRoot(), 'data', 'debian-descriptions');
const SECTIONS = 10;

export interface DebianPackage {
  name: string;
  section: string;
  description: string;
}

/** The packages of an `apt-cache dumpavail` listing (first entry of each name), with a section and a description. */
export function parseDumpavail(text: string): DebianPackage[] {
  const seen = new Set<string>();
  const out: DebianPackage[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of paragraph.split('\n')) {
      if (/^[ \t]/.test(line) && last !== undefined) {
        // a continuation line of the field above; " ." is an empty line
        const more = line.trim() === '.' ? '' : line.trim();
        fields.set(last, `${fields.get(last)} ${more}`.trim());
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon);
      fields.set(last, line.slice(colon + 1).trim());
    }
    const name = fields.get('Package');
    const section = fields.get('Section')?.split('/').pop();
    const description = fields.get('Description')?.replace(/\s+/g, ' ').trim();
    if (!name || !section || !description || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, section, description });
  }
  return out;
}

const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');

export interface DebianSplit {
  source: DebianPackage[];
  target: DebianPackage[];
  /** The ten largest sections, largest first, with their package counts. */
  sections: { name: string; packages: number; part: 'source' | 'target' }[];
}

/** The two tasks from a package list: see the file's comment. */
export function splitDebian(
  packages: readonly DebianPackage[],
  perClass: { source: number; target: number },
): DebianSplit {
  const bySection = new Map<string, DebianPackage[]>();
  for (const p of packages) bySection.set(p.section, [...(bySection.get(p.section) ?? []), p]);
  const ranked = [...bySection.entries()]
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
    .slice(0, SECTIONS);
  if (ranked.length < SECTIONS) {
    throw new UserError(`the package list has ${ranked.length} sections; the debian-text suite needs ${SECTIONS}`);
  }
  const sections = ranked.map(([name, list], i) => ({
    name,
    packages: list.length,
    part: i % 2 === 0 ? ('source' as const) : ('target' as const),
  }));
  const pick = (part: 'source' | 'target') =>
    ranked
      .filter((_, i) => sections[i]!.part === part)
      .flatMap(([, list]) =>
        [...list]
          .map((p) => ({ p, key: sha256(p.name) }))
          .sort((a, b) => (a.key < b.key ? -1 : 1))
          .slice(0, perClass[part])
          .map(({ p }) => p),
      );
  return { source: pick('source'), target: pick('target'), sections };
}

function table(packages: readonly DebianPackage[]): string {
  return stringify([['package', 'description', 'section'], ...packages.map((p) => [p.name, p.description, p.section])]);
}

/** What `apt-cache dumpavail` prints here; a UserError when apt is missing or has no package lists. */
export function readDumpavail(): string {
  try {
    return execFileSync('apt-cache', ['dumpavail'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  } catch (error) {
    throw new UserError(
      `cannot list Debian's packages with apt-cache dumpavail (${errorMessage(error)}): the debian-text data needs a machine with apt and its package lists (apt-get update)`,
    );
  }
}

/**
 * Writes source.csv, target.csv and manifest.json under `out` from `dumpavail` (the text of `apt-cache dumpavail`).
 * Returns the manifest.
 */
export function writeDebianText(
  out: string,
  dumpavail: string,
  perClass = { source: 1000, target: 600 },
): Record<string, unknown> {
  const packages = parseDumpavail(dumpavail);
  const split = splitDebian(packages, perClass);
  mkdirSync(out, { recursive: true });
  const files = { 'source.csv': table(split.source), 'target.csv': table(split.target) };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(out, name), content);
  const manifest = {
    command: 'apt-cache dumpavail',
    written: new Date().toISOString(),
    packages: packages.length,
    dumpavailSha256: sha256(dumpavail),
    perClass,
    sections: split.sections,
    rows: { 'source.csv': split.source.length, 'target.csv': split.target.length },
    sha256: Object.fromEntries(Object.entries(files).map(([name, content]) => [name, sha256(content)])),
  };
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** The manifest of tables written earlier under `out`, or null. */
export function readDebianManifest(out: string): Record<string, unknown> | null {
  const path = join(out, 'manifest.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : null;
}
