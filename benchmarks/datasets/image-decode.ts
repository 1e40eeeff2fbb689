/** Decodes and resizes one image file with sharp (libvips) into bytes, height × width × channels. */
import type { OutputInfo, default as Sharp } from 'sharp';
import { errorMessage } from '../errors.js';

// loaded on the first decode: libvips and its JavaScript cost a worker about 0.1 CPU s at start-up, and most trials
// read no image folder
let sharpModule: Promise<typeof Sharp> | undefined;
function loadSharp(): Promise<typeof Sharp> {
  sharpModule ??= import('sharp').then((loaded) => loaded.default);
  return sharpModule;
}

export interface DecodeSettings {
  /** [height, width] every image is resized to (stretched, as Keras' image_dataset_from_directory does). */
  imageSize: [number, number];
  channels: 1 | 3;
}

/**
 * The image at `path` as height × width × channels bytes: EXIF orientation applied, the first frame of an animation,
 * resized with bilinear-like interpolation to `imageSize` regardless of aspect ratio, grayscale or sRGB, alpha dropped.
 * Rejects with a one-line reason for a file that is not a readable image.
 */
export async function decodeImage(path: string, settings: DecodeSettings): Promise<Uint8Array> {
  const [height, width] = settings.imageSize;
  const sharp = await loadSharp();
  let image = sharp(path, { failOn: 'error' }).rotate().resize(width, height, { fit: 'fill', kernel: 'linear' });
  image = settings.channels === 1 ? image.grayscale().removeAlpha() : image.removeAlpha().toColourspace('srgb');
  let result: { data: Buffer; info: OutputInfo };
  try {
    result = await image.raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new Error(firstLine(errorMessage(error)), { cause: error });
  }
  const { data, info } = result;
  if (info.width !== width || info.height !== height || info.channels !== settings.channels) {
    throw new Error(
      `decoded to ${info.height}×${info.width}×${info.channels}, expected ${height}×${width}×${settings.channels}`,
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** libvips' message on one line (it repeats causes over several), at most 200 characters. */
function firstLine(text: string): string {
  const lines = [
    ...new Set(
      text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
  const joined = lines.join(' ').replace(/:$/, '');
  return (joined.length > 200 ? `${joined.slice(0, 197)}…` : joined) || 'cannot decode';
}
