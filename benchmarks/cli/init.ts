/** `transfer-bench init <folder|file.csv>`: writes a ready suite for the user's data and says what it found. */
import { Option, type Command } from 'commander';
import { BACKENDS } from '../domain.js';
import { UserError } from '../errors.js';
import type { InitCliOptions } from './init-command.js';
import { modelDirOption } from './model-dir.js';

const parseImageSize = (value: string): [number, number] => {
  const match = /^(\d+)(?:x(\d+))?$/i.exec(value.trim());
  if (!match) throw new UserError(`--image-size ${value}: give HEIGHTxWIDTH (e.g. 64x64) or one side (64)`);
  const h = Number(match[1]);
  const w = Number(match[2] ?? match[1]);
  if (h < 1 || w < 1 || h > 1024 || w > 1024) throw new UserError(`--image-size ${value}: sides from 1 to 1024`);
  return [h, w];
};

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      'write a ready suite for your data: a folder of images (one subfolder per class), a CSV table, or a text table (CSV, TSV or JSON Lines)',
    )
    .argument('<data>', 'image folder, CSV file, or text table')
    .option(
      '--source <path>',
      'data to pretrain on (a folder or CSV like the target), or a model: model.json, Keras .h5/.keras, or a catalogue name (imagenet/mobilenet-v2-0.35; see docs/pretrained-models.md)',
    )
    .addOption(modelDirOption())
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
    .option(
      '--text <column>',
      'text column of a text table (default: text/description/review/…, else the column with the most words)',
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
      // the data's inspection, the suite builder and TensorFlow.js only when the command runs (cli/main.ts)
      const { initAction } = await import('./init-command.js');
      await initAction(data, options);
    });
}
