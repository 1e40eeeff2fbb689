/** What `transfer-bench init` does once its options are read (init.ts registers it): the suite written and shown. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { initSuite, type InitResult } from '../builder/init-suite.js';
import type { BackendChoice } from '../domain.js';
import { UserError } from '../errors.js';
import { measureWorkerStart } from '../runner/worker-start-time.js';
import { nodeForker } from '../runner/worker-process.js';
import { commandLine, detectInvocation, shellWord } from './invocation.js';
import { downloadBar } from './download-bar.js';
import { useModelDir } from './model-dir.js';
import { estimateLines } from './estimate-lines.js';
import { describeArchitecture } from '../spec/describe-architecture.js';
import { textInspectionLines } from '../builder/inspect-text.js';

export interface InitCliOptions {
  source?: string;
  cutLayer?: string;
  modelDir?: string;
  out: string;
  force?: boolean;
  name?: string;
  test?: string;
  label?: string;
  text?: string;
  imageSize?: [number, number];
  channels?: 1 | 3;
  backend: BackendChoice;
}

/** What a user without a source can give `--source` to compare fine-tuning with training from scratch. */
const NO_SOURCE_OPTIONS = [
  'To compare, run init again with --source and one of:',
  '  a pretrained model:  --source <model.json> (or a Keras .h5/.keras file, or a catalogue name such as',
  '                       imagenet/mobilenet-v2-0.35; see docs/pretrained-models.md)',
  '  related data:        --source <folder> (other classes, one subfolder each) or --source <file.csv>',
  '  your own classes:    move some class subfolders into another folder and give that as --source',
];

function line(label: string, value: string): void {
  console.log(`${label.padEnd(14)}${value}`);
}

/** A class name as the table shows it: quoted and escaped (JSON) when it holds a control character such as a newline. */
function shownName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(name) ? JSON.stringify(name) : name;
}

export function printInit(result: InitResult, out: string): void {
  const { spec, target, check } = result;
  const shape =
    target.kind === 'folder'
      ? `${target.imageSize[0]}×${target.imageSize[1]} ${target.channels === 1 ? 'grayscale' : 'RGB'}`
      : target.kind === 'text'
        ? `text "${target.text}", label "${target.label}"`
        : `${target.features.length} numeric features, label "${target.label}"`;
  const kind = { folder: 'image folder', csv: 'table', text: 'text table' }[target.kind];
  line('target', `${kind} ${target.path} (${shape})`);
  if (target.kind === 'text') for (const l of textInspectionLines(target)) line('', l);
  const width = Math.max(5, ...target.classes.map((c) => shownName(c.name).length));
  const hasTest = target.testPath !== undefined;
  console.log(
    `  ${'class'.padEnd(width)}  ${target.kind === 'folder' ? 'images' : '  rows'}${hasTest ? '    test' : ''}`,
  );
  for (const c of target.classes) {
    console.log(
      `  ${shownName(c.name).padEnd(width)}  ${String(c.count).padStart(6)}${hasTest ? String(c.testCount ?? 0).padStart(8) : ''}`,
    );
  }
  if (target.kind === 'folder') {
    if (target.skipped.length > 0) {
      line(
        'skipped',
        `${target.skipped.length} files that could not be decoded, e.g. ${target.skipped[0]!.path}: ${target.skipped[0]!.reason}`,
      );
    }
    for (const entry of target.excluded) line('not followed', `${entry.path}: ${entry.reason}`);
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
      : target.kind === 'text'
        ? `${target.sequenceLength} tokens per text`
        : `${target.features.length} features`;
  const input = spec.pretrainedModel?.inputShape;
  line(
    'architecture',
    input
      ? `the brought model's, for every approach (scratch re-draws its weights), on ${data} fitted to its ${input.join('×')} input${target.kind === 'folder' && target.channels === 1 && input[2] === 3 ? ' (grayscale repeated to RGB)' : ''}`
      : `${describeArchitecture(spec.architecture)} on ${data}`,
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
    line('source', 'none: this suite trains from scratch only, so it cannot say whether fine-tuning helps.');
    for (const option of NO_SOURCE_OPTIONS) console.log(`${''.padEnd(14)}${option}`);
  }
  for (const notice of check.notices.filter((n) => n.startsWith('warning: '))) {
    line('warning', notice.slice('warning: '.length));
  }
  if (result.estimate && result.throughput) {
    const [range, basis] = estimateLines(result.estimate, result.throughput, { startup: result.startup });
    line('estimate', range);
    line('', basis);
  }
  for (const warning of result.warnings) line('warning', warning);
  line('wrote', out);
  console.log(`\nrun it with:  ${commandLine(detectInvocation(), `run ${shellWord(out)}`)}`);
}

export async function initAction(data: string, options: InitCliOptions): Promise<void> {
  const out = resolve(options.out);
  if (existsSync(out) && !options.force) {
    throw new UserError(`${out} exists; give another --out, or --force to overwrite it`);
  }
  useModelDir(options.modelDir);
  let shown = 0;
  const bar = downloadBar();
  let result: InitResult;
  try {
    result = await initSuite({
      target: data,
      source: options.source,
      cutLayer: options.cutLayer,
      prepare: { onDownload: bar.onDownload },
      suiteDir: dirname(out),
      name: options.name,
      backend: options.backend,
      // a worker's start as the run pays it (not for webgpu/webgl, whose workers are browser pages)
      ...(options.backend !== 'webgpu' && options.backend !== 'webgl'
        ? { measureWorkerStart: (backend: BackendChoice) => measureWorkerStart(nodeForker, backend) }
        : {}),
      inspect: {
        ...(options.test ? { test: options.test } : {}),
        ...(options.label ? { label: options.label } : {}),
        ...(options.text ? { text: options.text } : {}),
        ...(options.imageSize ? { imageSize: options.imageSize } : {}),
        ...(options.channels ? { channels: options.channels } : {}),
        onProgress: ({ done, total }) => {
          if (total < 2000 || done - shown < 5000) return;
          shown = done;
          process.stderr.write(`decoding images: ${done}/${total}
`);
        },
      },
    });
  } finally {
    bar.stop();
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result.spec, null, 2) + '\n');
  printInit(result, options.out);
}
