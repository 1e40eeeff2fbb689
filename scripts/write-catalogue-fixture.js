#!/usr/bin/env node
/**
 * Writes a stand-in for the catalogue's model host: `ROOT/<host path>/model.json` and its weight shards for one
 * catalogue name, with the published topology, layer names and shapes but random weights (seeded), optionally
 * quantised as the converter's `--quantize_uint8` does. Serve ROOT over HTTP and point TRANSFER_BENCH_MODEL_HOST at
 * it to try the catalogue's download, cache and offline paths without network (the tests do the same).
 *
 * Usage: npm run build:engine && node scripts/write-catalogue-fixture.js ROOT NAME [--quantize uint8|float16|none] [--seed 0]
 *   e.g. node scripts/write-catalogue-fixture.js /tmp/host imagenet/mobilenet-v2-0.35 --quantize uint8
 *        (cd /tmp/host && python3 -m http.server 8123) &
 *        TRANSFER_BENCH_MODEL_HOST=http://127.0.0.1:8123 npx transfer-bench init photos/ --source imagenet/mobilenet-v2-0.35
 */
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quantize: { type: 'string', default: 'none' },
    seed: { type: 'string', default: '0' },
  },
});
const [root, name] = positionals;
const seed = Number(values.seed);
const { catalogueEntry, CATALOGUE } = await import('../dist/benchmarks/spec/model-catalogue.js');
const entry = name === undefined ? undefined : catalogueEntry(name);
if (
  root === undefined ||
  entry === undefined ||
  !Number.isInteger(seed) ||
  !['uint8', 'float16', 'none'].includes(values.quantize)
) {
  console.error(
    'usage: node scripts/write-catalogue-fixture.js ROOT NAME [--quantize uint8|float16|none] [--seed N]\n' +
      `NAME: one of ${CATALOGUE.map((e) => e.name).join(', ')}`,
  );
  process.exit(2);
}

const { selectBackend } = await import('../dist/benchmarks/backend/select-backend.js');
const { writeCatalogueFixture } = await import('../dist/benchmarks/models/write-catalogue-fixture.js');
await selectBackend('auto');
const dir = writeCatalogueFixture(root, entry, seed, values.quantize);
console.log(`wrote ${entry.name} (random weights, seed ${seed}, quantize ${values.quantize}) to ${dir}`);
