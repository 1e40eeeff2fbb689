/**
 * WebAssembly modules written as text (benchmarks/backend/wat/*.wat) and run on tfjs-backend-wasm's memory. This file
 * holds the loaded binaries and instantiates them, with no Node.js import, so the browser bundle of the GPU worker can
 * carry the kernels that use it; wat-loader.ts (Node only) reads or assembles the binaries.
 *
 * `npm run build:wasm` assembles each `.wat` with the wabt package into `dist/benchmarks/backend/wat/*.wasm`
 * (scripts/build-wasm.js). `loadWatModule` reads that binary; where it is missing (tests run from the source tree,
 * before a build) it assembles the text itself with wabt, a development dependency. Loading is asynchronous (wabt
 * starts asynchronously), so `activateWasm` loads the modules before the backend starts and the kernels, which are
 * synchronous, instantiate them on the backend's memory when first called.
 */
const loaded = new Map<string, Uint8Array>();

/** Whether module `name` is loaded. */
export function watLoaded(name: string): boolean {
  return loaded.has(name);
}

/** Records the binary of module `name` (wat-loader.ts). */
export function registerWatBinary(name: string, bytes: Uint8Array): void {
  loaded.set(name, bytes);
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
