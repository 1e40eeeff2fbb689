/**
 * Writes labelled grayscale images out as an image folder (one subfolder per class) in the formats given, in turn:
 * how real image sets that ship as arrays (Fashion-MNIST's IDX files, the mnist package) become folders of files
 * to exercise the `folder` dataset kind end to end.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export type ImageFormat = 'png' | 'jpg' | 'webp' | 'gif' | 'tiff' | 'avif';

export interface ExportedImage {
  /** side × side bytes, row-major. */
  pixels: Uint8Array;
  className: string;
}

/** Writes `images` under `dir/<className>/<index>.<format>`, formats taken in turn; returns the paths written. */
export async function exportImageFolder(
  dir: string,
  images: readonly ExportedImage[],
  side: { height: number; width: number },
  formats: readonly ImageFormat[] = ['png'],
): Promise<string[]> {
  const paths: string[] = [];
  for (const [i, image] of images.entries()) {
    const format = formats[i % formats.length] as ImageFormat;
    const folder = join(dir, image.className);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `${String(i).padStart(5, '0')}.${format}`);
    const raw = sharp(Buffer.from(image.pixels), {
      raw: { width: side.width, height: side.height, channels: 1 },
    }).toColourspace('b-w');
    const encoded =
      format === 'jpg'
        ? raw.jpeg({ quality: 95 })
        : format === 'webp'
          ? raw.webp({ lossless: true })
          : format === 'avif'
            ? raw.avif({ lossless: true })
            : format === 'gif'
              ? raw.gif()
              : format === 'tiff'
                ? raw.tiff()
                : raw.png();
    await encoded.toFile(path);
    paths.push(path);
  }
  return paths;
}
