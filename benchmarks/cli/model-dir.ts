/**
 * `--model-dir <folder>` of init, run, resume and serve: catalogue models are read from files placed there by hand
 * instead of downloaded (a machine without network). Set for the whole process and its workers (MODEL_DIR_ENV), so
 * every place that resolves a catalogue name (the run's checks, a resume, serve's drafts and starts) reads the same.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option } from 'commander';
import { UserError } from '../errors.js';
import { MODEL_DIR_ENV } from '../spec/model-catalogue.js';

export function modelDirOption(): Option {
  return new Option(
    '--model-dir <folder>',
    "catalogue models' files placed by hand (model.json and its weights, or one subfolder per model named as the catalogue or the host names it): no download",
  );
}

/** Checks the folder and makes it where this process (and the workers it starts) reads catalogue models from. */
export function useModelDir(dir: string | undefined): void {
  if (dir === undefined) return;
  const absolute = resolve(dir);
  let isDir: boolean;
  try {
    isDir = statSync(absolute).isDirectory();
  } catch {
    throw new UserError(`--model-dir ${dir}: no such folder`);
  }
  if (!isDir) throw new UserError(`--model-dir ${dir} is a file: give the folder holding model.json and its weights`);
  process.env[MODEL_DIR_ENV] = absolute;
}
