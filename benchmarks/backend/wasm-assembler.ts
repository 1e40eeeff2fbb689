/**
 * Just enough of WebAssembly's binary format to assemble one-function modules that work on tfjs-backend-wasm's
 * memory (see wasm-maxpool2x2-module.ts, wasm-adam-module.ts): opcodes, LEB128 numbers, sections, and instantiation
 * with the backend's `WebAssembly.Memory` imported as `env.memory`. No toolchain is needed to build them.
 */

// opcodes (WebAssembly core specification, binary format)
export const BLOCK = 0x02;
export const LOOP = 0x03;
export const END = 0x0b;
export const BR_IF = 0x0d;
export const SELECT = 0x1b;
export const LOCAL_GET = 0x20;
export const LOCAL_SET = 0x21;
export const I32_LOAD = 0x28;
export const F32_LOAD = 0x2a;
export const I32_STORE = 0x36;
export const F32_STORE = 0x38;
export const I32_CONST = 0x41;
export const F32_CONST = 0x43;
export const I32_EQZ = 0x45;
export const I32_EQ = 0x46;
export const I32_GE_U = 0x4f;
export const F32_NE = 0x5c;
export const F32_GT = 0x5e;
export const F32_GE = 0x60;
export const I32_ADD = 0x6a;
export const I32_MUL = 0x6c;
export const I32_OR = 0x72;
export const I32_SHL = 0x74;
export const F32_SQRT = 0x91;
export const F32_ADD = 0x92;
export const F32_MUL = 0x94;
export const F32_DIV = 0x95;
// types
export const VOID = 0x40;
export const I32 = 0x7f;
export const F32 = 0x7d;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

/**
 * A module with one exported function `f` taking `params` (value types) and returning nothing, importing memory
 * `env.memory`. `body` is the function's code entry without its size: local declarations, instructions, END.
 */
export function functionModule(params: number[], body: number[]): Uint8Array {
  const functionType = [0x60, ...uleb(params.length), ...params, ...vec([])];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d], // \0asm
    ...[0x01, 0x00, 0x00, 0x00], // version 1
    ...section(1, vec([functionType])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(0)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('f'), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

/** The part of the WebAssembly JavaScript API used here (the project's TypeScript libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** Instantiates a `functionModule` on `memory` (a `WebAssembly.Memory`), synchronously, and returns its function. */
export function instantiateFunction(bytes: Uint8Array, memory: object): unknown {
  const api = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
  const instance = new api.Instance(new api.Module(bytes), { env: { memory } });
  return instance.exports['f'];
}

/** The `WebAssembly.Memory` of a tfjs-backend-wasm backend, or undefined where its module does not expose it. */
export function backendMemory(backend: { wasm: unknown }): object | undefined {
  return (backend.wasm as { asm?: { memory?: object } } | undefined)?.asm?.memory;
}
