import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Several files of one folder (a saved model: model.json, weights.bin, pretrain.json) as one blob:
 * `TBPACK1\n`, then per file a 4-byte name length, the name, an 8-byte size and the bytes (little-endian).
 */
const MAGIC = Buffer.from('TBPACK1\n', 'latin1');

export function packFiles(dir: string, names: readonly string[]): Buffer {
  const parts: Buffer[] = [MAGIC];
  for (const name of [...names].sort()) {
    if (basename(name) !== name) throw new Error(`packFiles: ${name} is not a plain file name`);
    const data = readFileSync(join(dir, name));
    const nameBytes = Buffer.from(name, 'utf8');
    const head = Buffer.alloc(4 + nameBytes.length + 8);
    head.writeUInt32LE(nameBytes.length, 0);
    nameBytes.copy(head, 4);
    head.writeBigUInt64LE(BigInt(data.length), 4 + nameBytes.length);
    parts.push(head, data);
  }
  return Buffer.concat(parts);
}

export function unpackFiles(bytes: Buffer): Map<string, Buffer> {
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a transfer-bench file pack (bad magic)');
  const files = new Map<string, Buffer>();
  let offset = MAGIC.length;
  while (offset < bytes.length) {
    const nameLength = bytes.readUInt32LE(offset);
    const name = bytes.subarray(offset + 4, offset + 4 + nameLength).toString('utf8');
    const size = Number(bytes.readBigUInt64LE(offset + 4 + nameLength));
    const start = offset + 4 + nameLength + 8;
    if (basename(name) !== name || start + size > bytes.length) throw new Error('file pack is damaged');
    files.set(name, bytes.subarray(start, start + size));
    offset = start + size;
  }
  return files;
}

/**
 * Writes the packed files into `dir` through a staging folder renamed into place, so that a process killed
 * half-way never leaves a partial folder (and two processes unpacking the same blob at once both end with a whole one).
 */
export function unpackInto(bytes: Buffer, dir: string): void {
  const files = unpackFiles(bytes);
  const staging = `${dir}.partial-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    for (const [name, data] of files) writeFileSync(join(staging, name), data);
    mkdirSync(dirname(dir), { recursive: true });
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another process put the same folder in place first: its content is the same blob.
      if ((error as { code?: unknown }).code !== 'ENOTEMPTY' && (error as { code?: unknown }).code !== 'EEXIST') {
        throw error;
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
