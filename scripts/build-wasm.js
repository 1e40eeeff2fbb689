#!/usr/bin/env node
/**
 * `npm run build:wasm`: assembles the WebAssembly text modules benchmarks/backend/wat/*.wat with the wabt package
 * into dist/benchmarks/backend/wat/*.wasm, where benchmarks/backend/wat-module.ts reads them.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'benchmarks', 'backend', 'wat');
const out = join(root, 'dist', 'benchmarks', 'backend', 'wat');

const wabt = await initWabt();
mkdirSync(out, { recursive: true });
for (const file of readdirSync(source).filter((f) => f.endsWith('.wat'))) {
  const parsed = wabt.parseWat(file, readFileSync(join(source, file), 'utf8'), { simd: true });
  try {
    parsed.validate();
    writeFileSync(join(out, file.replace(/\.wat$/, '.wasm')), parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}
