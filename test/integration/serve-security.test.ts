import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuilt } from '../e2e/support/paths.js';
import { startServe, type ServeProcess } from '../e2e/support/serve-process.js';

/**
 * `transfer-bench serve --host 0.0.0.0` as a user runs it on a shared machine, attacked as the issue describes:
 * foreign Host names (DNS rebinding) and suite files or data outside the --data-root folders.
 */

interface Answer {
  status: number;
  body: string;
}

function ask(port: number, path: string, options: { host?: string; body?: unknown } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.body === undefined ? 'GET' : 'POST',
        headers: {
          Host: options.host ?? `127.0.0.1:${port}`,
          ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

describe('transfer-bench serve --host 0.0.0.0 --data-root', () => {
  let base: string;
  let root: string;
  let server: ServeProcess;
  let port: number;
  const start = (source: unknown): Promise<Answer> => ask(port, '/api/startSuite', { body: { source } });

  beforeAll(async () => {
    requireBuilt([['dist/benchmarks/cli/main.js', 'npm run build']]);
    base = realpathSync(mkdtempSync(join(tmpdir(), 'tb-serve-security-')));
    root = join(base, 'data');
    mkdirSync(join(root, 'a-folder'), { recursive: true });
    writeFileSync(join(base, 'secret.json'), '{"token": "TOPSECRET"}');
    writeFileSync(join(root, 'passwd-like.json'), 'root:x:0:0:TOPSECRET:/root:/bin/bash\n');
    symlinkSync(join(base, 'secret.json'), join(root, 'link.json'));
    server = await startServe({
      dbPath: join(base, 'serve.db'),
      args: ['--host', '0.0.0.0', '--data-root', root, '--allow-host', 'bench.example.org'],
    });
    port = Number(new URL(server.url).port);
  });

  afterAll(async () => {
    await server?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('says at start-up that it is exposed and where it reads files', () => {
    expect(server.output()).toContain('warning: serving on 0.0.0.0');
    expect(server.output()).toContain(`suite files and data are read only under ${root}`);
  });

  it('refuses a foreign Host name (DNS rebinding), for the API and the pages', async () => {
    for (const path of ['/', '/api/listSuites']) {
      const answer = await ask(port, path, {
        host: `attacker.example:${port}`,
        ...(path === '/' ? {} : { body: {} }),
      });
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('"attacker.example:');
    }
    expect((await ask(port, '/api/listSuites', { body: {} })).status).toBe(200);
    expect((await ask(port, '/api/listSuites', { host: `bench.example.org:${port}`, body: {} })).status).toBe(200);
  });

  it('reads suite files only under --data-root, and never echoes a file', async () => {
    for (const path of [join(base, 'secret.json'), join(root, '..', 'secret.json'), join(root, 'link.json')]) {
      const answer = await start({ kind: 'file', path });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        error: `${path} is outside the data folders this server reads (${root}); put the file under one of them, or restart \`transfer-bench serve\` with another --data-root <folder>`,
      });
    }
    const folder = await start({ kind: 'file', path: join(root, 'a-folder') });
    expect(folder.status).toBe(400);
    expect(JSON.parse(folder.body)).toEqual({
      error: `suite file ${join(root, 'a-folder')} is a folder: give the path of a suite JSON file`,
    });
    const notJson = await start({ kind: 'file', path: join(root, 'passwd-like.json') });
    expect(notJson.status).toBe(400);
    expect(notJson.body).not.toContain('TOPSECRET');
    expect(notJson.body).not.toContain('root:');
    expect(server.output()).not.toContain('    at '); // no stack trace logged either
  });

  it('checks the data a suite sent as text names, before anything runs', async () => {
    const suite = {
      name: 'outside',
      architecture: 'mlp',
      target: {
        dataset: { kind: 'idx', dir: base, train: { images: 'secret.json', labels: 'secret.json' } },
        testPerClass: 5,
      },
      sizes: [10],
      seeds: [0],
      approaches: { scratch: { learningRate: 0.01, epochs: 1 } },
    };
    const answer = await start({ kind: 'text', origin: 'outside.json', text: JSON.stringify(suite) });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      error: expect.stringContaining(`${base} is outside the data folders`),
    });
    expect(JSON.parse((await ask(port, '/api/listSuites', { body: {} })).body)).toEqual([]);
  });
});
