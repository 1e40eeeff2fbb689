import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../../benchmarks/contract.js';
import {
  allowedHostnames,
  isLoopbackHost,
  startServer,
  type RunningServer,
} from '../../../benchmarks/server/http-server.js';
import { CONTENT_SECURITY_POLICY } from '../../../benchmarks/service/security-headers.js';
import { FakeService } from '../service/fake-service.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch, so that paths and Host headers go out exactly as written. */
function raw(
  server: RunningServer,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function post(server: RunningServer, name: string, body: unknown): Promise<RawResponse> {
  return raw(server, `/api/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

let root: string;
let staticDir: string;
const servers: RunningServer[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tb-server-'));
  staticDir = join(root, 'renderer');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Transfer Bench</title>');
  writeFileSync(join(staticDir, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(staticDir, 'assets', 'app-1234.css'), 'body{}');
  writeFileSync(join(root, 'secret.txt'), 'SECRET');
  symlinkSync(join(root, 'secret.txt'), join(staticDir, 'assets', 'link.txt'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(
  service = new FakeService(),
  extra: { staticDir?: string; heartbeatMs?: number; host?: string; allowHosts?: string[] } = {},
) {
  const logError = vi.fn();
  const server = await startServer({ service, port: 0, staticDir, logError, ...extra });
  servers.push(server);
  return { server, service, logError };
}

describe('startServer: API', () => {
  it('binds to 127.0.0.1 on a free port by default', async () => {
    const { server } = await serve();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('answers a valid request with the handler result as JSON', async () => {
    const { server, service } = await serve();
    const res = await post(server, 'startSuite', { source: { kind: 'builtin', name: 'quick' }, workers: 2 });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({ suiteId: 7 });
    expect(service.calls[0]?.request).toEqual({
      source: { kind: 'builtin', name: 'quick' },
      backend: 'auto',
      workers: 2,
    });
  });

  it('treats an empty body as an empty request', async () => {
    const { server } = await serve();
    const res = await raw(server, '/api/listBuiltinSuites', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toHaveLength(1);
  });

  it('answers 400 with a readable error for invalid input, without calling the handler', async () => {
    const { server, service } = await serve();
    const res = await post(server, 'startSuite', { source: { kind: 'builtin' }, workers: 0 });
    expect(res.status).toBe(400);
    const { error } = JSON.parse(res.body) as { error: string };
    expect(error).toContain('invalid startSuite request');
    expect(error).toContain('workers');
    expect(service.calls).toEqual([]);
  });

  it('answers 400 for a body that is not JSON and 415 for other content types', async () => {
    const { server } = await serve();
    const bad = await raw(server, '/api/listSuites', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{nope',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ error: 'request body is not valid JSON' });
    const form = await raw(server, '/api/listSuites', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(form.status).toBe(415);
  });

  it('answers 404 for an unknown request and 405 for GET on a request', async () => {
    const { server } = await serve();
    const unknown = await post(server, 'dropTables', {});
    expect(unknown.status).toBe(404);
    expect((JSON.parse(unknown.body) as { error: string }).error).toContain('unknown request "dropTables"');
    const get = await raw(server, '/api/listSuites');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });

  it('answers 400 with the message of a UserError, 500 for other errors and logs those', async () => {
    const { server, logError } = await serve();
    const user = await post(server, 'getSuite', { suiteId: 9 });
    expect(user.status).toBe(400);
    expect(JSON.parse(user.body)).toEqual({ error: 'no suite with id 9' });
    expect(logError).not.toHaveBeenCalled();
    const internal = await post(server, 'getEpochs', { suiteId: 9 });
    expect(internal.status).toBe(500);
    expect(JSON.parse(internal.body)).toEqual({ error: 'getEpochs failed: database is locked' });
    expect(logError).toHaveBeenCalledOnce();
  });

  it('refuses cross-origin requests and foreign Host names (DNS rebinding)', async () => {
    const { server, service } = await serve();
    const cross = await raw(server, '/api/startSuite', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example' },
      body: JSON.stringify({ source: { kind: 'builtin', name: 'quick' } }),
    });
    expect(cross.status).toBe(403);
    const rebound = await raw(server, '/api/listSuites', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Host: `evil.example:${server.port}` },
      body: '{}',
    });
    expect(rebound.status).toBe(403);
    const same = await raw(server, '/api/listSuites', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Origin: `http://localhost:${server.port}`,
        Host: `localhost:${server.port}`,
      },
      body: '{}',
    });
    expect(same.status).toBe(200);
    expect(service.calls.map((c) => c.name)).toEqual(['listSuites']);
  });

  it('bound to every interface, still refuses foreign Host names (DNS rebinding), pages and API alike', async () => {
    const { server, service } = await serve(new FakeService(), { host: '0.0.0.0', allowHosts: ['bench.example.org'] });
    const withHost = (host: string, path = '/api/listSuites'): Promise<RawResponse> =>
      raw(server, path, {
        method: path.startsWith('/api/') ? 'POST' : 'GET',
        headers: { 'Content-Type': 'application/json', Host: host },
        body: path.startsWith('/api/') ? '{}' : undefined,
      });
    for (const foreign of [`evil.example:${server.port}`, `127.0.0.1.evil.example:${server.port}`, 'bench.example']) {
      const answer = await withHost(foreign);
      expect(answer.status, foreign).toBe(403);
      expect(answer.body).toContain('is not a name this server answers to');
      expect(answer.body).toContain('--allow-host');
    }
    expect((await withHost(`evil.example:${server.port}`, '/')).status).toBe(403);
    const lanAddress = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && !a.internal)?.address;
    const allowed = [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}`,
      `[::1]:${server.port}`,
      `BENCH.example.org.:${server.port}`,
      `${hostname()}:${server.port}`,
      ...(lanAddress
        ? [lanAddress.includes(':') ? `[${lanAddress}]:${server.port}` : `${lanAddress}:${server.port}`]
        : []),
    ];
    for (const host of allowed) expect((await withHost(host)).status, host).toBe(200);
    expect((await withHost(`localhost:${server.port}`, '/')).status).toBe(200);
    expect(service.calls).toHaveLength(allowed.length);
  });

  it('a server bound to one address answers to it, loopback names and --allow-host names only', () => {
    const names = allowedHostnames('192.168.7.9', ['Box.Lan']);
    expect([...names].sort()).toEqual(['127.0.0.1', '192.168.7.9', '::1', 'box.lan', 'localhost']);
  });

  it('knows which hosts are loopback', () => {
    expect(['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.4', 'example.com'].some(isLoopbackHost)).toBe(false);
  });
});

describe('startServer: event stream', () => {
  async function openStream(server: RunningServer) {
    const controller = new AbortController();
    const res = await fetch(new URL('/api/events', server.url), { signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    return {
      res,
      /** Reads until `predicate` holds for the text received so far. */
      async until(predicate: (text: string) => boolean): Promise<string> {
        while (!predicate(buffer)) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
        }
        return buffer;
      },
      close: () => controller.abort(),
    };
  }

  it('delivers every RunEvent as one data message, in order', async () => {
    const { server, service } = await serve();
    const stream = await openStream(server);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await stream.until((t) => t.includes(': connected'));
    const events: RunEvent[] = [
      { type: 'suite-started', suiteId: 1, total: 4, finished: 0 },
      { type: 'suite-finished', suiteId: 1, status: 'done', error: null },
    ];
    for (const event of events) service.emit(event);
    const text = await stream.until((t) => t.includes('suite-finished'));
    const received = text
      .split('\n\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => JSON.parse(block.slice('data: '.length)) as RunEvent);
    expect(received).toEqual(events);
    stream.close();
  });

  it('sends heartbeat comments', async () => {
    const { server } = await serve(new FakeService(), { heartbeatMs: 20 });
    const stream = await openStream(server);
    // Two heartbeats 20 ms apart; `until` returns what arrived when the stream ended too, so the count is checked.
    const text = await stream.until((t) => (t.match(/^: heartbeat \d+$/gm) ?? []).length >= 2);
    expect((text.match(/^: heartbeat \d+$/gm) ?? []).length).toBeGreaterThanOrEqual(2);
    stream.close();
  });

  it('unsubscribes from the service and ends open streams on close', async () => {
    const service = new FakeService();
    const server = await startServer({ service, port: 0, staticDir });
    expect(service.listenerCount).toBe(1);
    const stream = await openStream(server);
    await stream.until((t) => t.includes(': connected'));
    await server.close();
    expect(service.listenerCount).toBe(0);
    await stream.until(() => false);
  });
});

describe('startServer: static files', () => {
  it('serves index.html at / with the security headers', async () => {
    const { server } = await serve();
    const res = await raw(server, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<title>Transfer Bench</title>');
  });

  it('serves assets with their content types and long caching', async () => {
    const { server } = await serve();
    const js = await raw(server, '/assets/app-1234.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect(js.body).toBe('console.log(1)');
    const css = await raw(server, '/assets/app-1234.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await raw(server, '/assets/app-1234.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('falls back to index.html for app routes but not for missing assets', async () => {
    const { server } = await serve();
    const route = await raw(server, '/suites/12?tab=trials');
    expect(route.status).toBe(200);
    expect(route.body).toContain('Transfer Bench');
    expect((await raw(server, '/assets/missing-5678.js')).status).toBe(404);
    expect((await raw(server, '/favicon.ico')).status).toBe(204);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '/assets/link.txt',
    '/%00',
    '/%E0%A4%A',
  ])('never serves a file outside the renderer folder: %s', async (path) => {
    const { server } = await serve();
    const res = await raw(server, path);
    expect(res.body).not.toContain('SECRET');
    expect([400, 404]).toContain(res.status);
  });

  it('says how to build the renderer when it is missing', async () => {
    const { server } = await serve(new FakeService(), { staticDir: join(root, 'nothing-here') });
    const res = await raw(server, '/');
    expect(res.status).toBe(503);
    expect(res.body).toContain('npm run build:renderer');
  });

  it('refuses other methods', async () => {
    const { server } = await serve();
    expect((await raw(server, '/', { method: 'DELETE' })).status).toBe(405);
  });
});
