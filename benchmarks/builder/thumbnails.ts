/** Small PNG thumbnails of images as data URLs, for the suite builder's view of a folder's classes. */
import sharp from 'sharp';

/** `path` as a PNG data URL at most `side` pixels a side; null for a file that does not decode. */
export async function thumbnail(path: string, side = 48): Promise<string | null> {
  try {
    const png = await sharp(path).rotate().resize(side, side, { fit: 'inside' }).png().toBuffer();
    return `data:image/png;base64,${png.toString('base64')}`;
  } catch {
    return null;
  }
}
