import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { buildModel } from '../../benchmarks/models/architectures.js';
import { saveModel } from '../../benchmarks/models/model-io.js';
import { OUTSIDE_ROOTS } from '../../benchmarks/read-roots.js';
import { requireBuilt } from '../e2e/support/paths.js';
import { writeDigitFolder } from '../unit/datasets/image-folder-fixtures.js';
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
  let images: string;
  let sourceImages: string;
  const start = (source: unknown): Promise<Answer> => ask(port, '/api/startSuite', { body: { source } });

  beforeAll(async () => {
    requireBuilt([['dist/benchmarks/cli/main.js', 'npm run build']]);
    base = realpathSync(mkdtempSync(join(tmpdir(), 'tb-serve-security-')));
    root = join(base, 'data');
    mkdirSync(join(root, 'a-folder'), { recursive: true });
    writeFileSync(join(base, 'secret.json'), '{"token": "TOPSECRET"}');
    writeFileSync(join(root, 'passwd-like.json'), 'root:x:0:0:TOPSECRET:/root:/bin/bash\n');
    symlinkSync(join(base, 'secret.json'), join(root, 'link.json'));
    // An image folder under the root with links at every depth: to a folder outside (a class), to a file outside (an
    // image in a class), loops of both kinds; a link to an outside folder at the top; a model whose weights link out.
    images = join(root, 'images');
    const outside = join(base, 'outside-images');
    await writeDigitFolder(images, [1, 7], 10, ['png']);
    await writeDigitFolder(outside, [3], 5, ['png']);
    symlinkSync(join(outside, 'digit-3'), join(images, 'digit-3'));
    const outsideImage = join(outside, 'digit-3', readdirSync(join(outside, 'digit-3'))[0]!);
    symlinkSync(outsideImage, join(images, 'digit-1', 'zz-secret.png'));
    symlinkSync('loop', join(images, 'loop'));
    symlinkSync('self.png', join(images, 'digit-7', 'self.png'));
    symlinkSync(outside, join(root, 'linked-images'));
    const mlp = buildModel('mlp', [28, 28, 1], 2, 0);
    await saveModel(mlp, join(base, 'outside-model'));
    await saveModel(mlp, join(root, 'model'));
    mlp.dispose();
    rmSync(join(root, 'model', 'weights.bin'));
    symlinkSync(join(base, 'outside-model', 'weights.bin'), join(root, 'model', 'weights.bin'));
    // The source pickers: a source folder with a class and an image linking out, a table, a model.json and a Keras
    // file that are links out (their targets outside hold what they claim to be).
    sourceImages = join(root, 'source-images');
    await writeDigitFolder(sourceImages, [2, 4], 8, ['png']);
    await writeDigitFolder(join(root, 'clean'), [1, 7], 6, ['png']);
    symlinkSync(join(outside, 'digit-3'), join(sourceImages, 'digit-3'));
    symlinkSync(outsideImage, join(sourceImages, 'digit-2', 'zz-secret.png'));
    copyFileSync(new URL('../fixtures/iris.csv', import.meta.url), join(base, 'outside.csv'));
    symlinkSync(join(base, 'outside.csv'), join(root, 'table-link.csv'));
    mkdirSync(join(root, 'model-json-link'));
    copyFileSync(join(base, 'outside-model', 'weights.bin'), join(root, 'model-json-link', 'weights.bin'));
    symlinkSync(join(base, 'outside-model', 'model.json'), join(root, 'model-json-link', 'model.json'));
    writeFileSync(join(base, 'outside.h5'), 'not read: the link is refused first');
    symlinkSync(join(base, 'outside.h5'), join(root, 'keras-link.h5'));
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
  it('defect 1: the draft skips and names links leading out of --data-root at every depth (folder, file), and loops', async () => {
    const answer = await ask(port, '/api/draftSuite', { body: { target: images, estimate: false } });
    expect(answer.status, answer.body).toBe(200);
    const draft = JSON.parse(answer.body) as {
      classes: { name: string; count: number; thumbnails: string[] }[];
      skipped: { path: string; reason: string }[];
    };
    expect(draft.classes.map((c) => [c.name, c.count, c.thumbnails.length])).toEqual([
      ['digit-1', 10, 4],
      ['digit-7', 10, 4],
    ]);
    const loop = 'a symbolic link loop: not followed';
    expect(draft.skipped).toEqual(
      expect.arrayContaining([
        { path: join(images, 'digit-3'), reason: OUTSIDE_ROOTS },
        { path: join(images, 'digit-1', 'zz-secret.png'), reason: OUTSIDE_ROOTS },
        { path: join(images, 'loop'), reason: loop },
        { path: join(images, 'digit-7', 'self.png'), reason: loop },
      ]),
    );
    expect(answer.body).not.toContain('outside-images'); // where an escaping link leads is never told

    // A link at the top (the folder chosen), and a model whose weights file links out, are refused.
    const linked = await ask(port, '/api/draftSuite', { body: { target: join(root, 'linked-images') } });
    expect(linked.status).toBe(400);
    expect(JSON.parse(linked.body).error).toContain(`${join(root, 'linked-images')} is outside the data folders`);
    const model = await ask(port, '/api/draftSuite', {
      body: { target: images, source: join(root, 'model'), estimate: false },
    });
    expect(model.status).toBe(400);
    expect(JSON.parse(model.body).error).toContain(`weights file ./weights.bin is ${OUTSIDE_ROOTS}`);
    expect(server.output()).not.toContain('    at ');
  });

  it('defect 1: starting a suite on a folder with a link leading out is refused before anything runs', async () => {
    const suite = {
      name: 'links',
      architecture: 'mlp',
      target: { dataset: { kind: 'folder', dir: images, imageSize: [28, 28], channels: 1 }, testPerClass: 2 },
      sizes: [10],
      seeds: [0],
      approaches: { scratch: { learningRate: 0.01, epochs: 1 } },
    };
    const answer = await start({ kind: 'text', origin: 'links.json', text: JSON.stringify(suite) });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(
      /images\/(digit-3|digit-1\/zz-secret\.png) is outside the data folders/,
    );
    expect(JSON.parse((await ask(port, '/api/listSuites', { body: {} })).body)).toEqual([]);
  });

  it('defect 1: the source pickers (folder, table, model.json, Keras file) read nothing outside --data-root', async () => {
    const draft = (source: string, estimate = false) =>
      ask(port, '/api/draftSuite', { body: { target: images, source, estimate } });
    // A source folder: its class and image linking out are skipped, never counted (the pool the estimate uses).
    const folder = await draft(sourceImages, true);
    expect(folder.status, folder.body).toBe(200);
    const drafted = JSON.parse(folder.body) as {
      spec: { pretrain: { dataset: { dir: string } } };
      estimateBasis: { sourcePool: number };
    };
    expect(drafted.spec.pretrain.dataset.dir).toBe(sourceImages);
    expect(drafted.estimateBasis.sourcePool).toBe(16);
    expect(folder.body).not.toContain('outside-images');
    // A table, a model folder whose model.json links out, a Keras file that links out: refused in one line.
    for (const path of [join(root, 'table-link.csv'), join(root, 'keras-link.h5')]) {
      const answer = await draft(path);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).error).toBe(
        `${path} is outside the data folders this server reads (${root}); put the file under one of them, or restart \`transfer-bench serve\` with another --data-root <folder>`,
      );
    }
    const modelJson = await draft(join(root, 'model-json-link'));
    expect(modelJson.status).toBe(400);
    expect(JSON.parse(modelJson.body).error).toContain(OUTSIDE_ROOTS);
    expect(modelJson.body).not.toContain('outside-model');
    // Starting a suite that names the model whose weights link out: refused before anything runs.
    const suite = {
      name: 'model-link',
      architecture: 'mlp',
      pretrainedModel: { path: join(root, 'model'), cutLayer: 'features' },
      target: {
        dataset: { kind: 'folder', dir: join(root, 'clean'), imageSize: [28, 28], channels: 1 },
        testPerClass: 2,
      },
      sizes: [10],
      seeds: [0],
      approaches: { 'linear-probe': { learningRate: 0.01, epochs: 1 } },
    };
    const started = await start({ kind: 'text', origin: 'model-link.json', text: JSON.stringify(suite) });
    expect(started.status).toBe(400);
    expect(JSON.parse(started.body).error).toContain(
      `${join(root, 'model', 'weights.bin')} is outside the data folders`,
    );
    expect(JSON.parse((await ask(port, '/api/listSuites', { body: {} })).body)).toEqual([]);
    expect(server.output()).not.toContain('    at ');
  });

  it('defect 6: 50 concurrent drafts each get 200 or a clean 503, never a 500 or a stack trace', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => ask(port, '/api/draftSuite', { body: { target: images, estimate: true } })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses).toContain(200);
    for (const busy of answers.filter((a) => a.status === 503)) {
      expect(JSON.parse(busy.body).error).toContain('try again in a moment');
    }
    // The speed is measured once and reused by every draft (estimate.seconds may still differ: a reused speed is
    // stretched by the load average of the moment, which changes every 5 s while the drafts take turns)
    const speeds = answers
      .filter((a) => a.status === 200)
      .map((a) => {
        const basis = (JSON.parse(a.body) as { estimateBasis: { samplesPerSecond: number; flopsPerSecond: number } })
          .estimateBasis;
        return `${basis.samplesPerSecond} ${basis.flopsPerSecond}`;
      });
    expect(new Set(speeds).size).toBe(1);
    expect(server.output()).not.toContain('    at ');
  });
});
