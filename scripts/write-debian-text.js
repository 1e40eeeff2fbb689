#!/usr/bin/env node
/**
 * Writes Debian's package descriptions as the two text tables of the built-in `debian-text` suite (see
 * benchmarks/datasets/text-debian.ts): <out>/source.csv, <out>/target.csv and <out>/manifest.json (the sections, the
 * counts and each table's sha256). Needs apt with its package lists (apt-get update).
 * Usage: npm run data:debian-text [-- --out DIR] [-- --from FILE]   (default: data/debian-descriptions; FILE: a saved
 * `apt-cache dumpavail` listing instead of running it)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'benchmarks', 'datasets', 'text-debian.js');
if (!existsSync(built)) {
  console.error('write-debian-text: run `npm run build:engine` first');
  process.exit(1);
}
const { DEFAULT_DEBIAN_TEXT, readDumpavail, writeDebianText } = await import(built);
const { values } = parseArgs({ options: { out: { type: 'string' }, from: { type: 'string' } } });
const out = resolve(values.out ?? DEFAULT_DEBIAN_TEXT);
try {
  const listing = values.from ? readFileSync(values.from, 'utf8') : readDumpavail();
  const manifest = writeDebianText(out, listing);
  console.log(`${manifest.packages} packages listed; wrote ${out}:`);
  for (const s of manifest.sections) console.log(`  ${s.part.padEnd(6)} ${s.name.padEnd(12)} ${s.packages} packages`);
  for (const [name, hash] of Object.entries(manifest.sha256))
    console.log(`  ${name} ${manifest.rows[name]} rows, sha256 ${hash}`);
} catch (error) {
  console.error(`write-debian-text: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
