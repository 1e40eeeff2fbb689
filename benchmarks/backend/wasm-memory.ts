/**
 * Tensors that do not fit in the wasm backend's memory: one clear error instead of a crash or silent corruption.
 *
 * tfjs-backend-wasm allocates a tensor's bytes with `malloc(size × bytesPerElement)`. Two things go wrong there when a
 * tensor is too large for a 32-bit WebAssembly memory (at most 4 GiB, shared by every live tensor):
 * - a byte count of 4 GiB or more is passed to `malloc` as a 32-bit integer, so it wraps to a small allocation, and
 *   the first view of the tensor throws `RangeError: Invalid typed array length` (this is what MobileNetV2 at 224×224
 *   hit in wasm-tile.ts);
 * - when the memory cannot grow any more, `malloc` returns 0 and the backend takes address 0 as the tensor's: kernels
 *   then write over the start of the heap, and the module aborts later (`RuntimeError: Aborted()`).
 * `guardWasmMemory` wraps the backend's `move` (through which every tensor on the heap is allocated) so that both
 * become a `WasmMemoryError` naming the tensor's shape, its first dimension (the batch, for activations), the memory
 * in use and the limit, before anything is written. It also refuses an allocation that would leave less than
 * `KERNEL_HEADROOM` at the top of the 4 GiB: the backend's kernels allocate scratch memory themselves (XNNPACK), and
 * their failure aborts the whole module, which no caller can recover from.
 */

/** The most a 32-bit WebAssembly memory addresses. */
export const WASM32_LIMIT = 4 * 1024 ** 3;
/** Bytes left free at the top of the memory for the kernels' own scratch allocations. */
export const KERNEL_HEADROOM = 128 * 1024 ** 2;

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** A tensor the wasm backend's memory cannot hold; the message says what to do. */
export class WasmMemoryError extends Error {
  constructor(
    readonly shape: readonly number[],
    readonly bytes: number,
    readonly heapBytes: number,
  ) {
    const batch = shape.length >= 2 ? (shape[0] as number) : null;
    const advice =
      batch !== null && batch > 1
        ? `its first dimension, ${batch}, is the batch for activations: use a smaller batch size (at most ` +
          `${Math.floor(batch / 2)}, or fewer examples at once) or a GPU backend`
        : 'use smaller inputs or a GPU backend';
    super(
      `the wasm backend cannot hold a tensor of shape [${shape.join(', ')}] (${(bytes / MIB).toFixed(0)} MiB): ` +
        `its memory is at ${(heapBytes / GIB).toFixed(2)} GiB of the ${WASM32_LIMIT / GIB} GiB a 32-bit ` +
        `WebAssembly memory can address; ${advice}`,
    );
    this.name = 'WasmMemoryError';
  }
}

/** The parts of tfjs-backend-wasm's `BackendWasm` the guard touches. */
export interface GuardedBackend {
  move(dataId: object, values: unknown, shape: number[], dtype: string, refCount: number): void;
  wasm: { HEAPU8: Uint8Array; _malloc(bytes: number): number; _free(offset: number): void };
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Thrown by the wrapped `malloc` to `move`, which turns it into a WasmMemoryError with the tensor's shape. */
class NoRoom extends Error {}

const guarded = new WeakSet<object>();

/** Wraps `backend.move` and the module's `malloc` as described above. Idempotent per backend. */
export function guardWasmMemory(backend: GuardedBackend): void {
  if (guarded.has(backend)) return;
  guarded.add(backend);
  const wasm = backend.wasm;
  const malloc = wasm._malloc.bind(wasm);
  wasm._malloc = (bytes: number): number => {
    const offset = malloc(bytes) >>> 0;
    if (bytes > 0 && (offset === 0 || offset + bytes > WASM32_LIMIT - KERNEL_HEADROOM)) {
      // malloc's 0 is no allocation; a block ending in the headroom is given back
      if (offset !== 0) wasm._free(offset);
      throw new NoRoom();
    }
    return offset;
  };
  const move = backend.move.bind(backend);
  backend.move = (dataId, values, shape, dtype, refCount) => {
    const perElement = BYTES_PER_ELEMENT[dtype];
    if (perElement === undefined) return move(dataId, values, shape, dtype, refCount);
    const bytes = shape.reduce((a, b) => a * b, 1) * perElement;
    // checked before malloc sees the count as a 32-bit integer (4 GiB or more would wrap)
    if (bytes > WASM32_LIMIT - KERNEL_HEADROOM) throw new WasmMemoryError(shape, bytes, wasm.HEAPU8.length);
    try {
      move(dataId, values, shape, dtype, refCount);
    } catch (error) {
      if (error instanceof NoRoom) throw new WasmMemoryError(shape, bytes, wasm.HEAPU8.length);
      throw error;
    }
  };
}

/** Bytes of the largest single activation an inference batch may make (a few such are alive at once). */
export const ACTIVATION_BUDGET = 512 * MIB;

/** The layers' output shapes of a model (tfjs-layers' `LayersModel.layers[i].outputShape`). */
interface ShapedModel {
  layers: { outputShape: unknown }[];
}

function elements(shape: unknown): number {
  if (!Array.isArray(shape)) return 0;
  if (shape.some((d) => Array.isArray(d))) return Math.max(0, ...shape.map(elements));
  return shape.slice(1).reduce((a: number, b: unknown) => a * (typeof b === 'number' ? b : 1), 1);
}

/**
 * The batch to run `model` on in inference: `requested`, or fewer examples where the model's largest activation for
 * `requested` examples would exceed ACTIVATION_BUDGET (MobileNetV2 1.0 at 224×224 makes 4.8 MB per example in its
 * first block, so 500 examples at once need 2.4 GB for that one tensor). Inference treats each example on its own,
 * so evaluating in smaller batches gives the same predictions.
 */
export function inferenceBatch(model: ShapedModel, requested: number): number {
  const perExample = 4 * Math.max(1, ...model.layers.map((l) => elements(l.outputShape)));
  return Math.max(1, Math.min(requested, Math.floor(ACTIVATION_BUDGET / perExample)));
}
