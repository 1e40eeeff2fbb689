/**
 * Node.js side of wat-module.ts: `npm run build:wasm` assembles each `.wat` with the wabt package into
 * `dist/benchmarks/backend/wat/*.wasm` (scripts/build-wasm.js); `loadWatModule` reads that binary, and where it is
 * missing (tests run from the source tree, before a build) assembles the text itself with wabt.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registerWatBinary, watLoaded } from './wat-module.js';

/** The WebAssembly features the modules use, for wabt (wabt.js's own names). */
export const WAT_FEATURES = { simd: true } as const;

/** The binary of `wat/<name>.wasm` beside this module (dist/), else null. */
function builtBinary(name: string): Uint8Array | null {
  const path = fileURLToPath(new URL(`./wat/${name}.wasm`, import.meta.url));
  return existsSync(path) ? new Uint8Array(readFileSync(path)) : null;
}

/** The text of `wat/<name>.wat`: beside this module in the source tree, or there seen from its compiled copy. */
function watSource(name: string): string {
  const candidates = [`./wat/${name}.wat`, `../../../benchmarks/backend/wat/${name}.wat`].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) throw new Error(`the WebAssembly module ${name} is missing: run npm run build:wasm`);
  return readFileSync(path, 'utf8');
}

/** Assembles WebAssembly text with wabt. */
export async function assembleWat(filename: string, text: string): Promise<Uint8Array> {
  const { default: init } = await import('wabt');
  const wabt = await init();
  const parsed = wabt.parseWat(filename, text, WAT_FEATURES);
  try {
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

/** Loads the module `name` (see above) once; later calls of `watBinary` return it synchronously. */
export async function loadWatModule(name: string): Promise<void> {
  if (watLoaded(name)) return;
  registerWatBinary(name, builtBinary(name) ?? (await assembleWat(`${name}.wat`, watSource(name))));
}
