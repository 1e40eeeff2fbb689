import { createReadStream, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { HTTP_API_PREFIX, HTTP_EVENTS_PATH, type ContractError } from '../contract.js';
import { packageRoot } from '../paths.js';
import {
  dispatchRequest,
  type DispatchFailureKind,
  type ErrorLogger,
  type ServedService,
} from '../service/dispatch.js';
import { EventStreamHub } from './event-stream.js';
import { SECURITY_HEADERS } from '../service/security-headers.js';
import { lookupStatic } from '../service/static-files.js';

export interface ServerOptions {
  service: ServedService;
  /** 0 picks a free port. */
  port: number;
  /** Defaults to 127.0.0.1. Anything else exposes the engine to the network: callers should warn. */
  host?: string;
  /**
   * Host names (and addresses) the server answers to besides the bound address, this machine's addresses and
   * loopback names (`serve --allow-host`): a request naming any other Host is refused (DNS rebinding).
   */
  allowHosts?: readonly string[];
  /** The built renderer; defaults to dist/renderer in the package. */
  staticDir?: string;
  /** Where internal errors go; defaults to console.error. */
  logError?: ErrorLogger;
  heartbeatMs?: number;
}

export interface RunningServer {
  /** Where a browser on this machine reaches the app, e.g. http://127.0.0.1:5173/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Large enough for a suite file sent as text. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const STATUS_OF: Record<DispatchFailureKind, number> = {
  'unknown-request': 404,
  'invalid-request': 400,
  'user-error': 400,
  busy: 503,
  'internal-error': 500,
};

export function defaultStaticDir(): string {
  return join(packageRoot(), 'dist', 'renderer');
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Lower case, without IPv6 brackets or a trailing dot: how Host names are compared. */
function normalHostname(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

function hostnameOfHostHeader(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return normalHostname(hostHeader.slice(0, hostHeader.indexOf(']') + 1));
  return normalHostname(hostHeader.replace(/:\d+$/, ''));
}

/**
 * The Host names a server bound to `host` answers to. DNS rebinding makes a hostile page's own name resolve to this
 * server; its requests then carry that name in Host, which is not in this list. Loopback names are always in it; a
 * wildcard bind adds this machine's addresses and host name (what other machines reach it by); a specific address
 * adds itself; `--allow-host` adds any other name (e.g. the name of a reverse proxy or a DNS alias).
 */
export function allowedHostnames(host: string, extra: readonly string[] = []): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', ...extra.map(normalHostname)]);
  if (isWildcardHost(host)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(normalHostname(address.address));
    }
    names.add(normalHostname(hostname()));
  } else {
    names.add(normalHostname(host));
  }
  return names;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  const body: ContractError = { error: message };
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  sendJson(res, status, body);
}

function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  // Requiring JSON makes cross-site form posts impossible: a browser must preflight them, and we answer no CORS.
  if (type !== 'application/json') throw new HttpError(415, 'requests must be sent as Content-Type: application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

/**
 * Serves the renderer and the contract over HTTP: `POST /api/<request>` with a JSON body answers JSON,
 * `GET /api/events` streams every RunEvent as Server-Sent Events, everything else is the built renderer.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { service, port } = options;
  const host = options.host ?? '127.0.0.1';
  const staticDir = options.staticDir ?? defaultStaticDir();
  const allowed = allowedHostnames(host, options.allowHosts);
  const hub = new EventStreamHub(options.heartbeatMs);
  const unsubscribe = service.subscribe((event) => hub.broadcast(event));

  /** DNS rebinding protection: a request must name a host this server answers to (not a hostile page's name). */
  function checkHost(req: IncomingMessage): string | null {
    const hostHeader = req.headers.host ?? '';
    const name = hostnameOfHostHeader(hostHeader);
    if (allowed.has(name) || isLoopbackHost(name)) return null;
    // The allowed names are not listed: the page that sent this may be hostile, and they include this machine's addresses.
    return `host ${JSON.stringify(hostHeader)} is not a name this server answers to; open the app at the address \`transfer-bench serve\` printed, or restart it with --allow-host <name>`;
  }

  /** Cross-site request protection for the API: the page must come from us, under a name we answer to. */
  function checkOrigin(req: IncomingMessage): string | null {
    const refused = checkHost(req);
    if (refused) return refused;
    const hostHeader = req.headers.host ?? '';
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${hostHeader}`) return `cross-origin request from ${origin} refused`;
    return null;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const refused = checkOrigin(req);
    if (refused) return sendError(res, 403, refused);
    if (path === HTTP_EVENTS_PATH) {
      if (req.method !== 'GET') return sendError(res, 405, 'use GET for the event stream', { Allow: 'GET' });
      hub.add(res, SECURITY_HEADERS);
      return;
    }
    const name = path.slice(HTTP_API_PREFIX.length);
    if (req.method !== 'POST') return sendError(res, 405, `use POST for ${path}`, { Allow: 'POST' });
    const body = await readJsonBody(req);
    const result = await dispatchRequest(service, name, body, options.logError);
    if (result.ok) return sendJson(res, 200, result.value);
    return sendError(res, STATUS_OF[result.kind], result.message);
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const refused = checkHost(req);
    if (refused) return sendText(res, 403, 'text/plain; charset=utf-8', `${refused}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(res, 405, 'only GET and HEAD are served here', { Allow: 'GET, HEAD' });
    }
    const found = await lookupStatic(staticDir, path);
    if (found.kind === 'bad-request') return sendText(res, 400, 'text/plain; charset=utf-8', 'bad path\n');
    if (found.kind === 'not-found') {
      if (!existsSync(join(staticDir, 'index.html'))) {
        return sendText(
          res,
          503,
          'text/plain; charset=utf-8',
          `The Transfer Bench renderer is not built (no ${join(staticDir, 'index.html')}).\nRun \`npm run build:renderer\`, then reload.\n`,
        );
      }
      // Browsers ask for /favicon.ico on their own; without one in the build, answer "nothing" instead of an error.
      if (path === '/favicon.ico') {
        res.writeHead(204, { ...SECURITY_HEADERS, 'Cache-Control': 'max-age=86400' });
        return void res.end();
      }
      return sendText(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': found.contentType,
      'Content-Length': found.size,
      'Cache-Control': found.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(found.filePath)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  const server = createServer((req, res) => {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return sendText(res, 400, 'text/plain; charset=utf-8', 'bad request\n');
    }
    const isApi = path === HTTP_EVENTS_PATH || path.startsWith(HTTP_API_PREFIX);
    (isApi ? handleApi(req, res, path) : handleStatic(req, res, path)).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError) return sendError(res, error.status, error.message);
      (options.logError ?? ((_name, e) => console.error('transfer-bench serve:', e)))(path, error);
      sendError(res, 500, 'internal server error');
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  }).catch((error: unknown) => {
    unsubscribe();
    hub.close();
    throw error;
  });

  const actualPort = (server.address() as AddressInfo).port;
  const shownHost = isWildcardHost(host) ? '127.0.0.1' : host;
  const urlHost = shownHost.includes(':') && !shownHost.startsWith('[') ? `[${shownHost}]` : shownHost;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${actualPort}/`,
    port: actualPort,
    close: () => {
      closing ??= new Promise<void>((resolvePromise) => {
        unsubscribe();
        hub.close();
        server.close(() => resolvePromise());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
