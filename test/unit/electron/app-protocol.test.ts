import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../benchmarks/service/security-headers.js';

type Handler = (request: Request) => Promise<Response>;

const fake = vi.hoisted(() => ({
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  privileged: [] as unknown[],
}));

vi.mock('electron', () => ({
  protocol: {
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) => fake.handlers.set(scheme, handler),
    registerSchemesAsPrivileged: (schemes: unknown[]) => fake.privileged.push(...schemes),
  },
}));

const { APP_ENTRY_URL, isAppUrl, registerAppScheme, setupAppProtocol } =
  await import('../../../electron/app-protocol.js');

let root: string;
let handle: Handler;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tb-protocol-'));
  mkdirSync(join(root, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>Transfer Bench</title>');
  writeFileSync(join(root, 'renderer', 'assets', 'app.js'), 'export {}');
  writeFileSync(join(root, 'secret.txt'), 'SECRET');
  setupAppProtocol(join(root, 'renderer'));
  handle = fake.handlers.get('app')!;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('registers app:// as a standard, secure scheme', () => {
    registerAppScheme();
    expect(fake.privileged).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) as unknown },
    ]);
  });

  it('serves the renderer with the same Content-Security-Policy as serve', async () => {
    const response = await handle(new Request(APP_ENTRY_URL));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('Transfer Bench');
    const script = await handle(new Request('app://transfer-bench/assets/app.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('serves nothing outside the renderer folder or for another host', async () => {
    for (const url of [
      'app://transfer-bench/..%2fsecret.txt',
      'app://transfer-bench/%2e%2e/secret.txt',
      'app://transfer-bench/assets/..%2f..%2fsecret.txt',
      'app://elsewhere/index.html',
    ]) {
      const response = await handle(new Request(url));
      expect(await response.text(), url).not.toContain('SECRET');
      expect(response.status, url).toBeGreaterThanOrEqual(400);
    }
  });

  it('says how to build the renderer when it is missing', async () => {
    fake.handlers.clear();
    setupAppProtocol(join(root, 'missing'));
    const response = await fake.handlers.get('app')!(new Request(APP_ENTRY_URL));
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:renderer');
  });

  it('recognises only our own origin', () => {
    expect(isAppUrl('app://transfer-bench/index.html')).toBe(true);
    expect(isAppUrl('app://transfer-bench')).toBe(true);
    expect(isAppUrl('app://transfer-bench.evil/index.html')).toBe(false);
    expect(isAppUrl('https://transfer-bench/')).toBe(false);
    expect(isAppUrl('file:///index.html')).toBe(false);
  });
});
