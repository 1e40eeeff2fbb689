import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../benchmarks/backend/select-backend.js';
import { buildKerasMobilenetV2 } from '../../benchmarks/models/mobilenet-v2.js';
import { saveModel } from '../../benchmarks/models/model-io.js';
import { writeCatalogueFixture } from '../../benchmarks/models/write-catalogue-fixture.js';
import { calibrateBatchNorm } from '../../benchmarks/models/write-keras-mobilenet.js';
import { MODEL_HOST_ENV, catalogueEntry } from '../../benchmarks/spec/model-catalogue.js';
import { writeKeras2H5, writeKeras3Archive } from '../support/keras-files.js';
import { scaled } from '../support/machine-load.js';
import { startModelHost, type ModelHost } from '../support/model-host.js';
import { requireSystem } from '../support/system.js';
import { writeDigitFolder } from '../unit/datasets/image-folder-fixtures.js';
import { useAppPage } from './support/app-page.js';

/**
 * Every kind of source through the New-suite screen of `transfer-bench serve`, in Debian's Chromium: a catalogue name
 * (fetched from a local stand-in for its host, then from the cache), a Keras `.h5`, a Keras 3 `.keras`, a TensorFlow.js
 * `model.json`, a source folder and a source CSV table. For each the user looks at the data, sees what the suite will
 * do with the source (for a model: where it is cut, its input and how the images are fitted to it), cuts the suite
 * down to one small trial and runs it to the end.
 */
const CATALOGUE_MODEL = 'imagenet/mobilenet-v1-0.25-128';
const DOWNLOAD_RATE = 400 * 1024;

describe.skipIf(!requireSystem('chromium'))(
  'New suite with every kind of source, against `transfer-bench serve`',
  () => {
    let host: ModelHost | undefined;
    let data: string;

    const app = useAppPage({
      name: 'tb-e2e-sources-',
      async prepare(dir) {
        data = join(dir, 'data');
        await writeDigitFolder(join(data, 'digits'), [3, 8], 10, ['png']);
        await writeDigitFolder(join(data, 'other-digits'), [1, 7], 8, ['png']);
        // a table, and a source table of other classes with the same feature columns (seeded values)
        copyFileSync(new URL('../fixtures/iris.csv', import.meta.url), join(data, 'iris.csv'));
        let state = 7;
        const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 5;
        const rows = Array.from(
          { length: 60 },
          (_, i) =>
            [next(), next(), next(), next()].map((v) => (v + (i % 2) * 2).toFixed(2)).join(',') + `,kind-${i % 2}`,
        );
        writeFileSync(
          join(data, 'measures.csv'),
          ['sepal_length,sepal_width,petal_length,petal_width,species', ...rows].join('\n') + '\n',
        );
        // one small Keras-named MobileNetV2 brought three ways
        await selectBackend('wasm');
        const mobilenet = buildKerasMobilenetV2({ alpha: 0.35, inputSize: 32, classes: 4, seed: 2 });
        try {
          calibrateBatchNorm(mobilenet, 32, 2, 4);
          await saveModel(mobilenet, join(data, 'tfjs-model'));
          await writeKeras2H5(join(data, 'mobilenet.h5'), mobilenet);
          mkdirSync(join(dir, 'keras-work'));
          await writeKeras3Archive(join(data, 'mobilenet.keras'), mobilenet, join(dir, 'keras-work'));
        } finally {
          mobilenet.dispose();
        }
        writeCatalogueFixture(join(dir, 'host'), catalogueEntry(CATALOGUE_MODEL)!, 5);
        // at most 400 KiB/s, as a slow network: the 1.8 MiB model takes about 5 s, long enough to watch its progress
        host = await startModelHost(join(dir, 'host'), { bytesPerSecond: DOWNLOAD_RATE });
        return {
          dbPath: join(dir, 'e2e.db'),
          args: ['--data-root', data],
          env: {
            TRANSFER_BENCH_CACHE: join(dir, 'model-cache'),
            TRANSFER_BENCH_DATA_CACHE: join(dir, 'data-cache'),
            [MODEL_HOST_ENV]: host.url,
          },
        };
      },
    });

    afterAll(async () => {
      await host?.close();
    });

    async function openBuilder(): Promise<void> {
      await app.page.goto(app.server.url);
      await app.page.getByTestId('new-suite').click();
      await app.page.getByTestId('new-suite-view').waitFor();
    }

    async function drafted(): Promise<void> {
      await expect
        .poll(() => app.page.getByTestId('look-at-data').isEnabled(), { timeout: scaled(180_000), interval: 500 })
        .toBe(true);
      const errors = await app.page.getByTestId('field-error').allTextContents();
      expect(errors).toEqual([]);
      await app.page.getByTestId('draft-findings').waitFor();
    }

    async function look(target: string, source: string): Promise<void> {
      await openBuilder();
      await app.page.getByTestId('target-path').fill(target);
      await app.page.getByTestId('source-path').fill(source);
      await app.page.getByTestId('look-at-data').click();
      await drafted();
    }

    /** One size, one seed, linear-probe only with one epoch (and one epoch of pretraining): then runs it to the end. */
    async function runOneTrial(size: number): Promise<void> {
      await app.page.getByTestId('suite-sizes').fill(String(size));
      await app.page.getByTestId('suite-seeds').fill('0');
      await app.page.getByTestId('suite-cross-validate-below').fill('0');
      for (const approach of ['scratch', 'finetune', 'partial']) {
        await app.page
          .locator(`[data-testid="approach-row"][data-approach="${approach}"]`)
          .getByTestId('approach-enabled')
          .uncheck();
      }
      const probe = app.page.locator('[data-testid="approach-row"][data-approach="linear-probe"]');
      await probe.getByTestId('approach-enabled').check();
      await probe.getByTestId('approach-epochs').fill('1');
      await probe.getByTestId('approach-min-steps').fill('0');
      await probe.getByTestId('approach-learning-rates').fill('0.01');
      const pretrainEpochs = app.page.getByTestId('suite-pretrain-epochs');
      if ((await pretrainEpochs.count()) > 0) await pretrainEpochs.fill('1');
      expect(await app.page.getByTestId('field-error').allTextContents()).toEqual([]);
      await app.page.getByTestId('run-new-suite').click();
      await app.page.getByTestId('run-view').waitFor();
      const bar = app.page.getByTestId('progress-bar');
      await expect
        .poll(async () => `${await bar.getAttribute('aria-valuenow')}/${await bar.getAttribute('data-status')}`, {
          timeout: scaled(300_000),
          interval: 1000,
        })
        .toBe('1/done');
      const statuses = await app.page
        .getByTestId('trial-row')
        .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-status')));
      expect(statuses).toEqual(['done']);
    }

    async function expectModelShown(cut: string, input: string, fit: string[]): Promise<void> {
      const model = await app.page.getByTestId('draft-model').textContent();
      expect(model).toContain(`cut at layer ${cut}`);
      expect(model).toContain(`input ${input}`);
      expect(model).toMatch(/weights SHA-256 [0-9a-f]{64}/);
      const fitted = await app.page.getByTestId('draft-input-fit').textContent();
      for (const step of fit) expect(fitted).toContain(step);
    }

    it(
      'a catalogue name: downloaded once with its progress shown, shown with its cut and input, trained; the next draft uses the cache',
      async () => {
        await openBuilder();
        await app.page.getByTestId('target-path').fill(join(data, 'digits'));
        await app.page.getByTestId('source-catalogue').selectOption(CATALOGUE_MODEL);
        // while it downloads: bytes of the whole, the rate and the time left, and a progress bar
        const progress = app.page.getByTestId('model-download');
        await progress.waitFor({ timeout: scaled(60_000) });
        const [text, bytes, total] = await progress.evaluate((e) => [
          e.textContent ?? '',
          Number(e.getAttribute('data-bytes')),
          Number(e.getAttribute('data-total')),
        ]);
        expect(text.replace(/\s+/g, ' ')).toMatch(
          new RegExp(
            `Downloading ${CATALOGUE_MODEL.replace(/\./g, '\\.')} \\(first use, then kept in the model cache\\): [0-9.]+ (B|KiB|MiB) of 1\\.8 MiB · ([0-9.]+ (B|KiB|MiB)/s · about [0-9][0-9hms. ]*left|… · time left …)`,
          ),
        );
        expect(bytes).toBeLessThan(total);
        expect(await progress.locator('progress').getAttribute('max')).toBe(String(total));
        await drafted();
        expect(await progress.count()).toBe(0);
        expect(await app.page.getByTestId('source-path').inputValue()).toBe(CATALOGUE_MODEL);
        const fetched = host!.requests.filter((r) => r.path.endsWith('.bin')).length;
        expect(fetched).toBeGreaterThan(0);
        await expectModelShown('flatten', '128×128×3', [
          'resized from 28×28 to 128×128',
          'grayscale repeated to the three channels',
          'pixels scaled to [-1,1]',
        ]);
        expect(await app.page.getByTestId('draft-model').textContent()).toContain('tfjs-models MobileNetV1');
        await runOneTrial(8);

        await look(join(data, 'digits'), CATALOGUE_MODEL);
        expect(host!.requests.filter((r) => r.path.endsWith('.bin')).length).toBe(fetched);
      },
      scaled(600_000),
    );

    for (const [kind, file] of [
      ['a Keras 2 .h5 file', 'mobilenet.h5'],
      ['a Keras 3 .keras file', 'mobilenet.keras'],
      ['a TensorFlow.js model.json', join('tfjs-model', 'model.json')],
    ] as const) {
      it(
        `${kind}: shown with its cut and input, trained`,
        async () => {
          await look(join(data, 'digits'), join(data, file));
          await expectModelShown('global_average_pooling2d', '32×32×3', [
            'resized from 28×28 to 32×32',
            'grayscale repeated to the three channels',
          ]);
          await runOneTrial(8);
        },
        scaled(600_000),
      );
    }

    it(
      'a source folder: pretrained on, then the trial trained',
      async () => {
        await look(join(data, 'digits'), join(data, 'other-digits'));
        expect(await app.page.getByTestId('draft-model').count()).toBe(0);
        expect(await app.page.getByTestId('suite-pretrain-epochs').count()).toBe(1);
        await runOneTrial(8);
      },
      scaled(600_000),
    );

    it(
      'a source CSV table for a CSV target: pretrained on, then the trial trained',
      async () => {
        await look(join(data, 'iris.csv'), join(data, 'measures.csv'));
        expect(await app.page.getByTestId('draft-model').count()).toBe(0);
        await expect(app.page.getByTestId('draft-features').textContent()).resolves.toContain('sepal_length');
        await runOneTrial(20);
      },
      scaled(600_000),
    );

    it('caused no console errors', () => {
      expect(app.problems).toEqual([]);
    });
  },
);
