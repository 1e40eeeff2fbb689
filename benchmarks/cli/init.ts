/** `transfer-bench init <folder|file.csv>`: writes a ready suite for the user's data and says what it found. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { initSuite, type InitResult } from '../builder/init-suite.js';
import { BACKENDS, type BackendChoice } from '../domain.js';
import { UserError } from '../errors.js';
import { downloadBar } from './download-bar.js';
import { formatDuration } from './progress-display.js';

interface InitCliOptions {
  source?: string;
  cutLayer?: string;
  modelDir?: string;
  out: string;
  force?: boolean;
  name?: string;
  test?: string;
  label?: string;
  imageSize?: [number, number];
  channels?: 1 | 3;
  backend: BackendChoice;
}

const parseImageSize = (value: string): [number, number] => {
  const match = /^(\d+)(?:x(\d+))?$/i.exec(value.trim());
  if (!match) throw new UserError(`--image-size ${value}: give HEIGHTxWIDTH (e.g. 64x64) or one side (64)`);
  const h = Number(match[1]);
  const w = Number(match[2] ?? match[1]);
  if (h < 1 || w < 1 || h > 1024 || w > 1024) throw new UserError(`--image-size ${value}: sides from 1 to 1024`);
  return [h, w];
};

function line(label: string, value: string): void {
  console.log(`${label.padEnd(14)}${value}`);
}

export function printInit(result: InitResult, out: string): void {
  const { spec, target, check } = result;
  const shape =
    target.kind === 'folder'
      ? `${target.imageSize[0]}×${target.imageSize[1]} ${target.channels === 1 ? 'grayscale' : 'RGB'}`
      : `${target.features.length} numeric features, label "${target.label}"`;
  line('target', `${target.kind === 'folder' ? 'image folder' : 'table'} ${target.path} (${shape})`);
  const width = Math.max(5, ...target.classes.map((c) => c.name.length));
  const hasTest = target.testPath !== undefined;
  console.log(
    `  ${'class'.padEnd(width)}  ${target.kind === 'folder' ? 'images' : '  rows'}${hasTest ? '    test' : ''}`,
  );
  for (const c of target.classes) {
    console.log(
      `  ${c.name.padEnd(width)}  ${String(c.count).padStart(6)}${hasTest ? String(c.testCount ?? 0).padStart(8) : ''}`,
    );
  }
  if (target.kind === 'folder') {
    if (target.skipped.length > 0) {
      line(
        'skipped',
        `${target.skipped.length} files that could not be decoded, e.g. ${target.skipped[0]!.path}: ${target.skipped[0]!.reason}`,
      );
    }
    if (target.ignored > 0) line('ignored', `${target.ignored} hidden or non-image files`);
  }
  line(
    'test split',
    hasTest
      ? `${spec.target.testPerClass} per class from ${target.testPath}`
      : `${spec.target.testPerClass} per class held out (fixed), ${check.testSize} in all; training pool ${check.poolSize}`,
  );
  line('sizes', spec.sizes.join(', '));
  line('seeds', spec.seeds.join(', '));
  const approaches = Object.entries(spec.approaches)
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => `${name} (lr ${[v!.learningRate].flat().join('/')})`);
  const any = Object.values(spec.approaches).find((v) => v !== undefined)!;
  line(
    'approaches',
    `${approaches.join(', ')}; up to ${any.epochs} epochs, at least ${any.minSteps} steps, batch ${any.batchSize}, patience ${any.patience}`,
  );
  const data =
    target.kind === 'folder'
      ? `${target.imageSize.join('×')}×${target.channels}`
      : `${target.features.length} features`;
  const input = spec.pretrainedModel?.inputShape;
  line(
    'architecture',
    input
      ? `the brought model's, for every approach (scratch re-draws its weights), on ${data} fitted to its ${input.join('×')} input${target.kind === 'folder' && target.channels === 1 && input[2] === 3 ? ' (grayscale repeated to RGB)' : ''}`
      : `${spec.architecture} on ${data}`,
  );
  if (spec.pretrain) {
    line(
      'source',
      `pretrain ${spec.pretrain.epochs} epochs on ${result.source && 'path' in result.source ? result.source.path : ''}`,
    );
  } else if (spec.pretrainedModel) {
    const m = spec.pretrainedModel;
    line(
      'source',
      `model ${m.path}, cut at layer "${m.cutLayer}"${m.inputShape ? `, input ${m.inputShape.join('×')}` : ''}${m.sha256 ? `, weights SHA-256 ${m.sha256}` : ''}`,
    );
    if (spec.pixelScaling !== '[0,1]')
      line('pixels', `scaled to ${JSON.stringify(spec.pixelScaling)} as the model was trained`);
  } else {
    line(
      'source',
      'none: only training from scratch; give --source <folder|file.csv|model.json|file.h5|catalogue name> to compare fine-tuning',
    );
  }
  if (result.estimate && result.throughput) {
    const e = result.estimate;
    line(
      'estimate',
      `at most ${formatDuration(e.seconds)} for ${e.trials} trials on ${e.workers} ${result.throughput.backend} worker${e.workers === 1 ? '' : 's'} (measured ${Math.round(result.throughput.samplesPerSecond)} training samples/s per worker; ${(e.flops / 1e12).toFixed(2)} TFLOP in the full budgets${e.pretrainSeconds > 0 ? `, pretraining ${formatDuration(e.pretrainSeconds)}` : ''}; early stopping usually ends trials sooner)`,
    );
  }
  line('wrote', out);
  console.log(`\nrun it with:  npx transfer-bench run ${out}`);
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a ready suite for your data: a folder of images (one subfolder per class) or a CSV table')
    .argument('<data>', 'image folder or CSV file')
    .option(
      '--source <path>',
      'data to pretrain on (a folder or CSV like the target), or a model: model.json, Keras .h5/.keras, or a catalogue name (imagenet/mobilenet-v2-0.35; see docs/pretrained-models.md)',
    )
    .option(
      '--model-dir <folder>',
      "a catalogue model's files placed by hand (model.json and its weights): no download",
    )
    .option(
      '--cut-layer <name>',
      'layer of a --source model to cut at (default: "features", else the one below the output)',
    )
    .option('--out <file>', 'suite file to write', 'suite.json')
    .option('--force', 'overwrite --out if it exists')
    .option('--name <name>', 'suite name (default: from the data)')
    .option('--test <path>', 'a test folder (same class subfolders) or test table instead of holding out a test set')
    .option(
      '--label <column>',
      'label column of a table (default: label/class/target/species/category/y, else the last)',
    )
    .option('--image-size <HxW>', 'size images are resized to (default: from the images, at most 64)', parseImageSize)
    .addOption(
      new Option('--channels <n>', '1 (grayscale) or 3 (RGB); default: from the images')
        .choices(['1', '3'])
        .argParser((v) => Number(v) as 1 | 3),
    )
    .addOption(
      new Option('--backend <name>', 'backend for the throughput measurement')
        .choices(['auto', ...BACKENDS])
        .default('auto'),
    )
    .action(async (data: string, options: InitCliOptions) => {
      const out = resolve(options.out);
      if (existsSync(out) && !options.force) {
        throw new UserError(`${out} exists; give another --out, or --force to overwrite it`);
      }
      let shown = 0;
      const bar = downloadBar(options.source ?? 'the model');
      let result: InitResult;
      try {
        result = await initSuite({
          target: data,
          source: options.source,
          cutLayer: options.cutLayer,
          prepare: { onDownload: bar.onDownload, ...(options.modelDir ? { modelDir: options.modelDir } : {}) },
          suiteDir: dirname(out),
          name: options.name,
          backend: options.backend,
          inspect: {
            ...(options.test ? { test: options.test } : {}),
            ...(options.label ? { label: options.label } : {}),
            ...(options.imageSize ? { imageSize: options.imageSize } : {}),
            ...(options.channels ? { channels: options.channels } : {}),
            onProgress: ({ done, total }) => {
              if (total < 2000 || done - shown < 5000) return;
              shown = done;
              process.stderr.write(`decoding images: ${done}/${total}\n`);
            },
          },
        });
      } finally {
        bar.stop();
      }
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, JSON.stringify(result.spec, null, 2) + '\n');
      printInit(result, options.out);
    });
}
