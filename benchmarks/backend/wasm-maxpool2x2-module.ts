/**
 * The 2×2, stride-2 max-pool gradient as a small WebAssembly function that runs on tfjs-backend-wasm's own memory.
 *
 * In JavaScript the window comparisons compile to branches that the processor mispredicts about half the time on
 * real activations. This function compares with WebAssembly's comparisons and `select` on integers only (V8 compiles
 * an integer select without a branch, a float select with one); see wasm-maxpool-gradient.ts for the measurement.
 * The module is assembled here from its instructions (no toolchain is needed) and imports the backend's
 * `WebAssembly.Memory`, so it reads and writes tensors where they live.
 *
 * Semantics, as `maxPoolGradInto`'s: each window's gradient goes to its first maximum in row-major order; a NaN never
 * wins; a window of NaN and −∞ only sends nothing. Every value of every window is written (the gradient or 0), so
 * only the input's last row and column, when the height or width is odd, are left for the caller to zero.
 *
 *     maxPool2x2Grad(x, g, dx, batch, outHeight, outWidth, inHeight, inWidth, channels)   (byte offsets, counts)
 */

import {
  BLOCK,
  BR_IF,
  END,
  F32,
  F32_CONST,
  F32_GE,
  F32_GT,
  F32_LOAD,
  F32_NE,
  I32,
  I32_ADD,
  I32_CONST,
  I32_EQ,
  I32_EQZ,
  I32_GE_U,
  I32_LOAD,
  I32_MUL,
  I32_OR,
  I32_SHL,
  I32_STORE,
  LOCAL_GET,
  LOCAL_SET,
  LOOP,
  SELECT,
  VOID,
  functionModule,
  instantiateFunction,
  sleb,
  uleb,
  vec,
} from './wasm-assembler.js';

// parameters
const X = 0;
const G = 1;
const DX = 2;
const BATCH = 3;
const OUT_H = 4;
const OUT_W = 5;
const IN_H = 6;
const IN_W = 7;
const CH = 8;
// i32 locals
const ROW = 9; // b·inHeight + 2·oh: the window's top input row
const ROW_END = 10; // b·inHeight + 2·outHeight
const B = 11;
const OW = 12;
const C = 13;
const I00 = 14; // element index of the window's top-left value, channel c
const CSTRIDE = 15; // channels (element step to the right neighbour)
const RSTRIDE = 16; // inWidth·channels (element step to the row below)
const GOFF = 17; // byte offset of the current gradient value
const AWINS = 18; // 1 when a wins the top row
const CWINS = 19; // 1 when c wins the bottom row
const TOPWINS = 20; // 1 when the top row's winner wins the window
const BATCH_BASE = 21; // b·inHeight
const IDX = 22; // element index of the window's first maximum
const GBITS = 23; // bit pattern of the gradient the maximum gets (0 for a window of NaN and −∞ only)
// f32 locals
const VA = 24;
const VB = 25;
const VC = 26;
const VD = 27;

const get = (i: number): number[] => [LOCAL_GET, ...uleb(i)];
const set = (i: number): number[] => [LOCAL_SET, ...uleb(i)];
const i32 = (v: number): number[] => [I32_CONST, ...sleb(v)];
/** f32.load of element `index` (an i32 on the stack) of the array at byte offset local `base`. */
const loadAt = (base: number): number[] => [...i32(2), I32_SHL, ...get(base), I32_ADD, F32_LOAD, 2, 0];
/** dx[index] = (index === IDX ? gradient : 0) as bits, `index` given as code leaving an i32 on the stack. */
const storeAt = (base: number, index: number[]): number[] => [
  ...index,
  ...i32(2),
  I32_SHL,
  ...get(base),
  I32_ADD,
  ...get(GBITS),
  ...i32(0),
  ...index,
  ...get(IDX),
  I32_EQ,
  SELECT,
  I32_STORE,
  2,
  0,
];
/** The i32 result of comparing f32 locals `a` and `b`. */
const cmp = (a: number, op: number, b: number): number[] => [...get(a), ...get(b), op];
const isNaN = (a: number): number[] => cmp(a, F32_NE, a);
/** 1 when f32 local `a` is above −∞ (so neither −∞ nor NaN). */
const aboveMinusInfinity = (a: number): number[] => [...get(a), F32_CONST, 0x00, 0x00, 0x80, 0xff, F32_GT];
/** Increments local `i` by `by` (code that leaves an i32 on the stack). */
const addTo = (i: number, by: number[]): number[] => [...get(i), ...by, I32_ADD, ...set(i)];

function body(): number[] {
  // Every select chooses between integers (V8 turns a float select into a branch): comparisons give 0 or 1, the
  // gradient is moved as its bit pattern (i32.load, i32.store).
  const inner: number[] = [
    // a, b: the window's top row; c, d: its bottom row
    ...get(I00),
    ...loadAt(X),
    ...set(VA),
    ...get(I00),
    ...get(CSTRIDE),
    I32_ADD,
    ...loadAt(X),
    ...set(VB),
    ...get(I00),
    ...get(RSTRIDE),
    I32_ADD,
    ...loadAt(X),
    ...set(VC),
    ...get(I00),
    ...get(RSTRIDE),
    I32_ADD,
    ...get(CSTRIDE),
    I32_ADD,
    ...loadAt(X),
    ...set(VD),
    // aWins = a >= b || b is NaN; cWins = c >= d || d is NaN
    ...cmp(VA, F32_GE, VB),
    ...isNaN(VB),
    I32_OR,
    ...set(AWINS),
    ...cmp(VC, F32_GE, VD),
    ...isNaN(VD),
    I32_OR,
    ...set(CWINS),
    // topWins = top >= bottom || bottom is NaN, top and bottom being the rows' winners
    ...cmp(VA, F32_GE, VC),
    ...cmp(VA, F32_GE, VD),
    ...get(CWINS),
    SELECT,
    ...cmp(VB, F32_GE, VC),
    ...cmp(VB, F32_GE, VD),
    ...get(CWINS),
    SELECT,
    ...get(AWINS),
    SELECT,
    ...isNaN(VC),
    ...isNaN(VD),
    ...get(CWINS),
    SELECT,
    I32_OR,
    ...set(TOPWINS),
    // idx = the winner's element index
    ...get(I00),
    ...get(I00),
    ...get(CSTRIDE),
    I32_ADD,
    ...get(AWINS),
    SELECT,
    ...get(I00),
    ...get(RSTRIDE),
    I32_ADD,
    ...get(I00),
    ...get(RSTRIDE),
    I32_ADD,
    ...get(CSTRIDE),
    I32_ADD,
    ...get(CWINS),
    SELECT,
    ...get(TOPWINS),
    SELECT,
    ...set(IDX),
    // gradient bits if the winner is above −∞ (so not NaN, and not a window of −∞ only), else 0
    ...get(GOFF),
    ...get(G),
    I32_ADD,
    I32_LOAD,
    2,
    0,
    ...i32(0),
    ...aboveMinusInfinity(VA),
    ...aboveMinusInfinity(VB),
    ...get(AWINS),
    SELECT,
    ...aboveMinusInfinity(VC),
    ...aboveMinusInfinity(VD),
    ...get(CWINS),
    SELECT,
    ...get(TOPWINS),
    SELECT,
    SELECT,
    ...set(GBITS),
    // every value of the window is written (the gradient at the winner, 0 elsewhere): dx needs no zero-filling
    ...storeAt(DX, [...get(I00)]),
    ...storeAt(DX, [...get(I00), ...get(CSTRIDE), I32_ADD]),
    ...storeAt(DX, [...get(I00), ...get(RSTRIDE), I32_ADD]),
    ...storeAt(DX, [...get(I00), ...get(RSTRIDE), I32_ADD, ...get(CSTRIDE), I32_ADD]),
    ...addTo(GOFF, i32(4)),
    ...addTo(I00, i32(1)),
  ];

  // for c in [0, channels)
  const channelLoop = [
    ...i32(0),
    ...set(C),
    BLOCK,
    VOID,
    ...get(C),
    ...get(CH),
    I32_GE_U,
    BR_IF,
    0,
    LOOP,
    VOID,
    ...inner,
    ...addTo(C, i32(1)),
    ...get(C),
    ...get(CH),
    I32_GE_U,
    I32_EQZ,
    BR_IF,
    0,
    END,
    END,
  ];
  // for ow in [0, outWidth): i00 = ((row·inWidth) + 2·ow)·channels
  const columnLoop = [
    ...i32(0),
    ...set(OW),
    BLOCK,
    VOID,
    ...get(OW),
    ...get(OUT_W),
    I32_GE_U,
    BR_IF,
    0,
    LOOP,
    VOID,
    ...get(ROW),
    ...get(IN_W),
    I32_MUL,
    ...get(OW),
    ...i32(1),
    I32_SHL,
    I32_ADD,
    ...get(CH),
    I32_MUL,
    ...set(I00),
    ...channelLoop,
    ...addTo(OW, i32(1)),
    ...get(OW),
    ...get(OUT_W),
    I32_GE_U,
    I32_EQZ,
    BR_IF,
    0,
    END,
    END,
  ];
  // for row = b·inHeight + 2·oh, oh in [0, outHeight)
  const rowLoop = [
    ...get(BATCH_BASE),
    ...set(ROW),
    ...get(BATCH_BASE),
    ...get(OUT_H),
    ...i32(1),
    I32_SHL,
    I32_ADD,
    ...set(ROW_END),
    BLOCK,
    VOID,
    ...get(ROW),
    ...get(ROW_END),
    I32_GE_U,
    BR_IF,
    0,
    LOOP,
    VOID,
    ...columnLoop,
    ...addTo(ROW, i32(2)),
    ...get(ROW),
    ...get(ROW_END),
    I32_GE_U,
    I32_EQZ,
    BR_IF,
    0,
    END,
    END,
  ];
  // for b in [0, batch)
  const batchLoop = [
    ...i32(0),
    ...set(B),
    BLOCK,
    VOID,
    ...get(B),
    ...get(BATCH),
    I32_GE_U,
    BR_IF,
    0,
    LOOP,
    VOID,
    ...get(B),
    ...get(IN_H),
    I32_MUL,
    ...set(BATCH_BASE),
    ...rowLoop,
    ...addTo(B, i32(1)),
    ...get(B),
    ...get(BATCH),
    I32_GE_U,
    I32_EQZ,
    BR_IF,
    0,
    END,
    END,
  ];
  const setup = [
    ...get(CH),
    ...set(CSTRIDE),
    ...get(IN_W),
    ...get(CH),
    I32_MUL,
    ...set(RSTRIDE),
    ...i32(0),
    ...set(GOFF),
  ];
  // locals: 15 i32 (9..23), 4 f32 (24..27)
  const locals = vec([
    [15, I32],
    [4, F32],
  ]);
  return [...locals, ...setup, ...batchLoop, END];
}

/** The module's bytes: one function `grad` of 9 i32 parameters, importing memory `env.memory`. */
export function maxPool2x2GradModuleBytes(): Uint8Array {
  return functionModule(new Array<number>(9).fill(I32), body());
}

export type MaxPool2x2Grad = (
  x: number,
  g: number,
  dx: number,
  batch: number,
  outHeight: number,
  outWidth: number,
  inHeight: number,
  inWidth: number,
  channels: number,
) => void;

/** Instantiates the function on `memory`, a `WebAssembly.Memory` (synchronously: the module is under 1 kB). */
export function instantiateMaxPool2x2Grad(memory: object): MaxPool2x2Grad {
  return instantiateFunction(maxPool2x2GradModuleBytes(), memory) as MaxPool2x2Grad;
}
