/**
 * The Adam update of one variable as a small WebAssembly function on tfjs-backend-wasm's memory.
 *
 * WebAssembly's f32 operations round every result to float32 as the stock ops do, so the weights are the stock
 * optimizer's bit for bit (as with the JavaScript `Math.fround` loop in wasm-adam.ts, which it replaces where the
 * backend's memory can be reached), at a fraction of the JavaScript loop's time.
 *
 *     adam(value, m, v, g, outValue, outM, outV, n,                          (byte offsets, element count: i32)
 *          beta1, 1 − beta1, beta2, 1 − beta2, 1 − beta1ᵗ, 1 − beta2ᵗ, epsilon, −learningRate)   (f32)
 */
import {
  BLOCK,
  BR_IF,
  END,
  F32,
  F32_ADD,
  F32_DIV,
  F32_LOAD,
  F32_MUL,
  F32_SQRT,
  F32_STORE,
  I32,
  I32_ADD,
  I32_CONST,
  I32_EQZ,
  I32_GE_U,
  I32_SHL,
  LOCAL_GET,
  LOCAL_SET,
  LOOP,
  VOID,
  functionModule,
  instantiateFunction,
  sleb,
  uleb,
  vec,
} from './wasm-assembler.js';

// parameters
const VALUE = 0;
const M = 1;
const V = 2;
const G = 3;
const OUT_VALUE = 4;
const OUT_M = 5;
const OUT_V = 6;
const N = 7;
const B1 = 8;
const ONE_MINUS_B1 = 9;
const B2 = 10;
const ONE_MINUS_B2 = 11;
const C1 = 12;
const C2 = 13;
const EPS = 14;
const MINUS_LR = 15;
// locals
const END_OFFSET = 16; // i32: n·4
const P = 17; // i32: byte offset of element i
const GI = 18; // f32
const MI = 19; // f32
const VI = 20; // f32

const get = (i: number): number[] => [LOCAL_GET, ...uleb(i)];
const set = (i: number): number[] => [LOCAL_SET, ...uleb(i)];
/** f32.load of the element at byte offset P of the array at (i32 parameter) `base`. */
const load = (base: number): number[] => [...get(base), ...get(P), I32_ADD, F32_LOAD, 2, 0];
/** The address for an f32.store to the array at `base` (the value follows). */
const address = (base: number): number[] => [...get(base), ...get(P), I32_ADD];

function body(): number[] {
  const step = [
    ...load(G),
    ...set(GI),
    // m' = m·β1 + g·(1−β1)
    ...load(M),
    ...get(B1),
    F32_MUL,
    ...get(GI),
    ...get(ONE_MINUS_B1),
    F32_MUL,
    F32_ADD,
    ...set(MI),
    // v' = v·β2 + g²·(1−β2)
    ...load(V),
    ...get(B2),
    F32_MUL,
    ...get(GI),
    ...get(GI),
    F32_MUL,
    ...get(ONE_MINUS_B2),
    F32_MUL,
    F32_ADD,
    ...set(VI),
    ...address(OUT_M),
    ...get(MI),
    F32_STORE,
    2,
    0,
    ...address(OUT_V),
    ...get(VI),
    F32_STORE,
    2,
    0,
    // value' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε) · (−lr) + value
    ...address(OUT_VALUE),
    ...get(MI),
    ...get(C1),
    F32_DIV,
    ...get(VI),
    ...get(C2),
    F32_DIV,
    F32_SQRT,
    ...get(EPS),
    F32_ADD,
    F32_DIV,
    ...get(MINUS_LR),
    F32_MUL,
    ...load(VALUE),
    F32_ADD,
    F32_STORE,
    2,
    0,
    // p += 4
    ...get(P),
    I32_CONST,
    ...sleb(4),
    I32_ADD,
    ...set(P),
  ];
  return [
    ...vec([
      [2, I32],
      [3, F32],
    ]),
    ...get(N),
    I32_CONST,
    ...sleb(2),
    I32_SHL,
    ...set(END_OFFSET),
    I32_CONST,
    ...sleb(0),
    ...set(P),
    BLOCK,
    VOID,
    ...get(P),
    ...get(END_OFFSET),
    I32_GE_U,
    BR_IF,
    0,
    LOOP,
    VOID,
    ...step,
    ...get(P),
    ...get(END_OFFSET),
    I32_GE_U,
    I32_EQZ,
    BR_IF,
    0,
    END,
    END,
    END,
  ];
}

export type AdamStep = (
  value: number,
  m: number,
  v: number,
  g: number,
  outValue: number,
  outM: number,
  outV: number,
  n: number,
  beta1: number,
  oneMinusBeta1: number,
  beta2: number,
  oneMinusBeta2: number,
  oneMinusAccBeta1: number,
  oneMinusAccBeta2: number,
  epsilon: number,
  minusLearningRate: number,
) => void;

/** The module's bytes: one function of 8 i32 and 8 f32 parameters, importing memory `env.memory`. */
export function adamModuleBytes(): Uint8Array {
  return functionModule([...new Array<number>(8).fill(I32), ...new Array<number>(8).fill(F32)], body());
}

/** Instantiates the function on `memory`, a `WebAssembly.Memory`. */
export function instantiateAdamStep(memory: object): AdamStep {
  return instantiateFunction(adamModuleBytes(), memory) as AdamStep;
}
