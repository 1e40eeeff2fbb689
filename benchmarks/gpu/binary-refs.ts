/**
 * Typed arrays in a message, swapped for references that a page fetches as binary. Playwright's call arguments are
 * JSON (with typed arrays as base64 strings built one byte at a time on Node 20), so bulk data goes through a
 * routed URL instead: the host serves each array's bytes, the page fetches them into an ArrayBuffer.
 */
const KINDS = { f32: Float32Array, i32: Int32Array, u8: Uint8Array } as const;
type Kind = keyof typeof KINDS;

export interface BinaryRef {
  $binary: string;
  kind: Kind | 'buffer';
}

function isRef(value: unknown): value is BinaryRef {
  return typeof value === 'object' && value !== null && typeof (value as BinaryRef).$binary === 'string';
}

function kindOf(value: unknown): Kind | 'buffer' | null {
  if (value instanceof ArrayBuffer) return 'buffer';
  for (const [kind, type] of Object.entries(KINDS)) if (value instanceof type) return kind as Kind;
  return null;
}

/** A copy of `message` with every typed array and ArrayBuffer replaced by a reference `store` hands out. */
export function extractBinary(message: unknown, store: (bytes: Uint8Array) => string): unknown {
  const kind = kindOf(message);
  if (kind !== null) {
    const view = message as ArrayBuffer | ArrayBufferView;
    const bytes =
      view instanceof ArrayBuffer
        ? new Uint8Array(view)
        : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    return { $binary: store(bytes), kind } satisfies BinaryRef;
  }
  if (Array.isArray(message)) return message.map((item) => extractBinary(item, store));
  if (typeof message === 'object' && message !== null) {
    return Object.fromEntries(Object.entries(message).map(([key, value]) => [key, extractBinary(value, store)]));
  }
  return message;
}

/** The inverse of extractBinary, in the page: fetches each reference's bytes. */
export async function resolveBinary(
  message: unknown,
  fetchBytes: (ref: string) => Promise<ArrayBuffer>,
): Promise<unknown> {
  if (isRef(message)) {
    const buffer = await fetchBytes(message.$binary);
    return message.kind === 'buffer' ? buffer : new KINDS[message.kind](buffer);
  }
  if (Array.isArray(message)) return Promise.all(message.map((item) => resolveBinary(item, fetchBytes)));
  if (typeof message === 'object' && message !== null) {
    const entries = await Promise.all(
      Object.entries(message).map(async ([key, value]) => [key, await resolveBinary(value, fetchBytes)] as const),
    );
    return Object.fromEntries(entries);
  }
  return message;
}

/**
 * The host's side of the page's binary replies to a Playwright host (trained weights: small): the page encodes with
 * extractBinary(message, toBase64), so each reference holds its bytes as base64; this turns them back into arrays.
 */
export function decodeInlineBinary(message: unknown, decode: (base64: string) => Uint8Array): unknown {
  if (isRef(message)) return fromBytes(decode(message.$binary), message.kind);
  if (Array.isArray(message)) return message.map((item) => decodeInlineBinary(item, decode));
  if (typeof message === 'object' && message !== null) {
    return Object.fromEntries(Object.entries(message).map(([key, value]) => [key, decodeInlineBinary(value, decode)]));
  }
  return message;
}

function fromBytes(bytes: Uint8Array, kind: Kind | 'buffer'): ArrayBuffer | ArrayBufferView {
  // a copy of exactly these bytes: a small Node Buffer is a view into a shared pool
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return kind === 'buffer' ? copy.buffer : new KINDS[kind](copy.buffer);
}
