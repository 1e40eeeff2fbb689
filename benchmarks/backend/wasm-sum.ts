/**
 * `Sum` over leading axes on the `wasm` backend without a transpose.
 *
 * tfjs-backend-wasm 4.22 reduces only innermost axes, so a sum over the leading ones (every bias gradient: dy
 * [batch, height, width, channels] summed to [channels]; batch normalisation's gradients) first transposes the whole
 * tensor. Here a small WebAssembly function adds the rows of x viewed as [rows, columns] into the output, column by
 * column in row order: the order the stock kernel adds them in after its transpose, in float32. Other sums go to the
 * stock kernel.
 *
 *     sumRows(x, out, rows, columns)   (byte offsets, counts)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceWasmKernel } from './replace-wasm-kernel.js';
import {
  BLOCK,
  BR_IF,
  END,
  F32_ADD,
  F32_CONST,
  F32_LOAD,
  F32_STORE,
  I32,
  I32_ADD,
  I32_CONST,
  I32_EQZ,
  I32_GE_U,
  I32_MUL,
  LOCAL_GET,
  LOCAL_SET,
  LOOP,
  VOID,
  backendMemory,
  functionModule,
  instantiateFunction,
  sleb,
  uleb,
  vec,
} from './wasm-assembler.js';

// parameters
const X = 0;
const OUT = 1;
const ROWS = 2;
const COLS = 3;
// i32 locals
const ROW_BYTES = 4;
const P = 5;
const XP = 6;
const R = 7;

const get = (i: number): number[] => [LOCAL_GET, ...uleb(i)];
const set = (i: number): number[] => [LOCAL_SET, ...uleb(i)];
const i32 = (v: number): number[] => [I32_CONST, ...sleb(v)];

/** `while (!(local ≥ limit)) { body }` on i32 locals. */
function whileBelow(local: number, limit: number, body: number[]): number[] {
  return [
    BLOCK,
    VOID,
    ...get(local),
    ...get(limit),
    I32_GE_U,
    BR_IF,
    0,
    LOOP,
    VOID,
    ...body,
    ...get(local),
    ...get(limit),
    I32_GE_U,
    I32_EQZ,
    BR_IF,
    0,
    END,
    END,
  ];
}

function body(): number[] {
  return [
    ...vec([[4, I32]]),
    ...get(COLS),
    ...i32(4),
    I32_MUL,
    ...set(ROW_BYTES),
    // out[c] = 0
    ...i32(0),
    ...set(P),
    ...whileBelow(P, ROW_BYTES, [
      ...get(OUT),
      ...get(P),
      I32_ADD,
      F32_CONST,
      0,
      0,
      0,
      0,
      F32_STORE,
      2,
      0,
      ...get(P),
      ...i32(4),
      I32_ADD,
      ...set(P),
    ]),
    // for each row: out[c] += x[row, c]
    ...get(X),
    ...set(XP),
    ...i32(0),
    ...set(R),
    ...whileBelow(R, ROWS, [
      ...i32(0),
      ...set(P),
      ...whileBelow(P, ROW_BYTES, [
        ...get(OUT),
        ...get(P),
        I32_ADD,
        ...get(OUT),
        ...get(P),
        I32_ADD,
        F32_LOAD,
        2,
        0,
        ...get(XP),
        ...get(P),
        I32_ADD,
        F32_LOAD,
        2,
        0,
        F32_ADD,
        F32_STORE,
        2,
        0,
        ...get(P),
        ...i32(4),
        I32_ADD,
        ...set(P),
      ]),
      ...get(XP),
      ...get(ROW_BYTES),
      I32_ADD,
      ...set(XP),
      ...get(R),
      ...i32(1),
      I32_ADD,
      ...set(R),
    ]),
    END,
  ];
}

type SumRows = (x: number, out: number, rows: number, columns: number) => void;

/** The module's bytes: one function of 4 i32 parameters, importing memory `env.memory`. */
export function sumRowsModuleBytes(): Uint8Array {
  return functionModule([I32, I32, I32, I32], body());
}

/** Instantiates the function on `memory`, a `WebAssembly.Memory`. */
export function instantiateSumRows(memory: object): SumRows {
  return instantiateFunction(sumRowsModuleBytes(), memory) as SumRows;
}

const onMemory = new WeakMap<object, SumRows | null>();

function sumRowsFor(backend: BackendWasm): SumRows | null {
  const memory = backendMemory(backend);
  if (memory === undefined) return null;
  let f = onMemory.get(memory);
  if (f === undefined) {
    try {
      f = instantiateSumRows(memory);
    } catch {
      f = null; // an engine that refuses the module keeps the stock kernel
    }
    onMemory.set(memory, f);
  }
  return f;
}

function memoryOffset(backend: BackendWasm, t: TensorInfo): number {
  return (backend.dataIdMap.get(t.dataId) as unknown as { memoryOffset: number }).memoryOffset;
}

function makeSumWasm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const { x } = params.inputs;
    if (x === undefined || x.dtype !== 'float32') return stock(params);
    const attrs = (params.attrs ?? {}) as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = [...new Set(tf.util.parseAxisParam(attrs.axis, x.shape))].sort((a, b) => a - b);
    const k = axes.length;
    // leading axes only, not all of them
    if (k === 0 || k === rank || axes.some((a, i) => a !== i)) return stock(params);
    const backend = params.backend as BackendWasm;
    const sumRows = sumRowsFor(backend);
    if (sumRows === null) return stock(params);
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const columns = x.shape.slice(k).reduce((a, b) => a * b, 1);
    const outShape = attrs.keepDims ? [...new Array<number>(k).fill(1), ...x.shape.slice(k)] : x.shape.slice(k);
    const out = backend.makeOutput(outShape, 'float32');
    sumRows(memoryOffset(backend, x), memoryOffset(backend, out), rows, columns);
    return out;
  };
}

let registered = false;

/** Replaces the wasm backend's `Sum` with the one above. Idempotent. */
export function registerWasmSum(): void {
  if (registered) return;
  registered = true;
  replaceWasmKernel(tf.Sum, makeSumWasm);
}
