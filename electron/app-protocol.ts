import { protocol } from 'electron';
import { promises as fsp } from 'node:fs';
import { SECURITY_HEADERS } from '../benchmarks/service/security-headers.js';
import { lookupStatic } from '../benchmarks/service/static-files.js';

/**
 * The renderer is served from app://transfer-bench/ rather than file://: a real origin for 'self' in the
 * Content-Security-Policy, the same headers as `serve`, and no access to the rest of the file system.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'transfer-bench';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True for a URL of our own renderer (non-special schemes have an opaque URL.origin, so compare by prefix). */
export function isAppUrl(url: string): boolean {
  return url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
}

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

function textResponse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

export function setupAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return textResponse(404, 'not found');
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'method not allowed');
    const found = await lookupStatic(rendererDir, url.pathname);
    if (found.kind === 'bad-request') return textResponse(400, 'bad path');
    if (found.kind === 'not-found') {
      return url.pathname === '/' || url.pathname === '/index.html'
        ? textResponse(503, `The renderer is not built (${rendererDir}). Run \`npm run build:renderer\`.`)
        : textResponse(404, 'not found');
    }
    const body = request.method === 'HEAD' ? null : await fsp.readFile(found.filePath);
    return new Response(body, {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': found.contentType, 'Cache-Control': 'no-cache' },
    });
  });
}
