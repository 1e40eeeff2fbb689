/**
 * WebAssembly modules written as text (benchmarks/backend/wat/*.wat) and run on tfjs-backend-wasm's memory.
 *
 * `npm run build:wasm` assembles each `.wat` with the wabt package into `dist/benchmarks/backend/wat/*.wasm`
 * (scripts/build-wasm.js). `loadWatModule` reads that binary; where it is missing (tests run from the source tree,
 * before a build) it assembles the text itself with wabt, a development dependency. Loading is asynchronous (wabt
 * starts asynchronously), so `activateWasm` loads the modules before the backend starts and the kernels, which are
 * synchronous, instantiate them on the backend's memory when first called.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The WebAssembly features the modules use, for wabt (wabt.js's own names). */
export const WAT_FEATURES = { simd: true } as const;

const loaded = new Map<string, Uint8Array>();

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
  if (loaded.has(name)) return;
  loaded.set(name, builtBinary(name) ?? (await assembleWat(`${name}.wat`, watSource(name))));
}

/** The binary of a module `loadWatModule` loaded, or null. */
export function watBinary(name: string): Uint8Array | null {
  return loaded.get(name) ?? null;
}

/** The part of the WebAssembly JavaScript API used here (the project's TypeScript libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const instances = new WeakMap<object, Map<string, Record<string, unknown> | null>>();

/**
 * The exports of module `name` instantiated on `memory` (a `WebAssembly.Memory`; one instance per memory), or null
 * where the module is not loaded or the engine refuses it (no SIMD): the caller then takes its JavaScript path.
 */
export function watExports(name: string, memory: object): Record<string, unknown> | null {
  let perMemory = instances.get(memory);
  if (perMemory === undefined) {
    perMemory = new Map();
    instances.set(memory, perMemory);
  }
  let exports = perMemory.get(name);
  if (exports === undefined) {
    const bytes = watBinary(name);
    exports = null;
    if (bytes !== null) {
      try {
        const api = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
        exports = new api.Instance(new api.Module(bytes), { env: { memory } }).exports;
      } catch {
        exports = null;
      }
    }
    perMemory.set(name, exports);
  }
  return exports;
}

/** The `WebAssembly.Memory` of a tfjs-backend-wasm backend, or undefined where its module does not expose it. */
export function backendMemory(backend: { wasm: unknown }): object | undefined {
  return (backend.wasm as { asm?: { memory?: object } } | undefined)?.asm?.memory;
}
