#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/benchmarks/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('transfer-bench: not built yet. Run `npm run build` (npm install does it for you).');
  process.exit(1);
}
await import(entry.href);
