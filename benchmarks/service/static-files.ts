// fs.promises is looked up at call time: Electron patches it to read inside app.asar.
import { promises as fsp } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Content types of what a Vite build of the renderer contains. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export function contentTypeOf(filePath: string): string {
  return CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticLookup =
  | { kind: 'file'; filePath: string; contentType: string; size: number; immutable: boolean }
  | { kind: 'not-found' }
  | { kind: 'bad-request' };

async function fileInside(root: string, candidate: string): Promise<{ path: string; size: number } | null> {
  try {
    const real = await fsp.realpath(candidate);
    const rel = relative(root, real);
    // A symlink must not lead out of the root either.
    if (rel.startsWith('..') || isAbsolute(rel)) return null;
    const info = await fsp.stat(real);
    return info.isFile() ? { path: real, size: info.size } : null;
  } catch {
    return null;
  }
}

/**
 * Maps a URL path to a file under `root`, never outside it. Paths without a file extension that match
 * no file fall back to index.html (the renderer is a single-page app); missing assets are not found.
 */
export async function lookupStatic(root: string, urlPath: string): Promise<StaticLookup> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'bad-request' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-request' };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return { kind: 'bad-request' };

  let realRoot: string;
  try {
    realRoot = await fsp.realpath(resolve(root));
  } catch {
    return { kind: 'not-found' };
  }
  const relativePath = segments.length === 0 ? 'index.html' : segments.join(sep);
  const candidate = join(realRoot, relativePath);
  const found = await fileInside(realRoot, candidate);
  if (found) {
    return {
      kind: 'file',
      filePath: found.path,
      contentType: contentTypeOf(found.path),
      size: found.size,
      immutable: segments[0] === 'assets',
    };
  }
  const last = segments.at(-1) ?? '';
  if (extname(last) !== '' || segments[0] === 'api') return { kind: 'not-found' };
  const index = await fileInside(realRoot, join(realRoot, 'index.html'));
  if (!index) return { kind: 'not-found' };
  return {
    kind: 'file',
    filePath: index.path,
    contentType: contentTypeOf(index.path),
    size: index.size,
    immutable: false,
  };
}
