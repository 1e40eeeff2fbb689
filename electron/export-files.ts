import { dialog, type BrowserWindow } from 'electron';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { DataPathKind } from '../benchmarks/contract.js';
import type { TextFile } from '../benchmarks/domain.js';
import { FOLDER_WRITE_HINTS, writeFiles } from '../benchmarks/service/write-files.js';

/** What the renderer may ask us to write: plain file names (no folders), text content. */
export const saveFilesSchema = z
  .array(
    z.strictObject({
      name: z
        .string()
        .regex(/^[\w][\w .()-]{0,120}$/, 'a plain file name without folders')
        .refine((name) => basename(name) === name && name !== '.' && name !== '..', 'a plain file name'),
      content: z.string(),
    }),
  )
  .min(1)
  .max(32);

/** Native open dialog for a suite JSON file; null when cancelled. */
export async function pickSuiteFile(window: BrowserWindow): Promise<string | null> {
  const result = await dialog.showOpenDialog(window, {
    title: 'Open a suite file',
    buttonLabel: 'Open suite',
    filters: [
      { name: 'Suite files', extensions: ['json'] },
      { name: 'All files', extensions: ['*'] },
    ],
    properties: ['openFile'],
  });
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

export const dataPathKind = z.enum(['folder', 'csv', 'model']);

/** Native open dialog for the suite builder: a folder of images, a CSV table or a model.json; null when cancelled. */
export async function pickDataPath(window: BrowserWindow, kind: DataPathKind): Promise<string | null> {
  const result = await dialog.showOpenDialog(
    window,
    kind === 'folder'
      ? {
          title: 'Choose a folder of images (one subfolder per class)',
          buttonLabel: 'Choose folder',
          properties: ['openDirectory'],
        }
      : kind === 'csv'
        ? {
            title: 'Choose a CSV table',
            buttonLabel: 'Choose table',
            filters: [{ name: 'CSV tables', extensions: ['csv'] }],
            properties: ['openFile'],
          }
        : {
            title: 'Choose a model: TensorFlow.js model.json (weights beside it), Keras .h5 or .keras',
            buttonLabel: 'Choose model',
            filters: [{ name: 'TensorFlow.js and Keras models', extensions: ['json', 'h5', 'keras'] }],
            properties: ['openFile'],
          },
  );
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/** A suite file the renderer asks to save: a plain file name to suggest, JSON content. */
export const suiteFileSchema = z.strictObject({
  name: z.string().regex(/^[\w][\w .()-]{0,120}\.json$/, 'a plain .json file name without folders'),
  content: z.string().max(1_000_000),
});

/** Native save dialog for a suite file; writes it (temporary name renamed into place) and returns its path. */
export async function saveSuiteFile(window: BrowserWindow, file: TextFile): Promise<string | null> {
  const result = await dialog.showSaveDialog(window, {
    title: 'Save the suite file',
    buttonLabel: 'Save suite',
    defaultPath: file.name,
    filters: [{ name: 'Suite files', extensions: ['json'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  });
  if (result.canceled || !result.filePath) return null;
  const [path] = writeFiles(dirname(result.filePath), [{ name: basename(result.filePath), content: file.content }], {
    ...FOLDER_WRITE_HINTS,
    another: 'choose another file name or folder',
  });
  return path ?? result.filePath;
}

/**
 * Asks for a folder and writes the files there (after confirming before overwriting) through the same helper as the
 * CLI's export: each file under a temporary name renamed into place, a failure one UserError naming the path.
 * Null when cancelled.
 */
export async function saveFilesToFolder(window: BrowserWindow, files: TextFile[]): Promise<string | null> {
  const result = await dialog.showOpenDialog(window, {
    title: 'Export CSV files to a folder',
    buttonLabel: 'Export here',
    message: `Choose a folder for ${files.map((f) => f.name).join(', ')}`,
    properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
  });
  const folder = result.canceled ? undefined : result.filePaths[0];
  if (!folder) return null;
  const existing = files.filter((file) => existsSync(join(folder, file.name))).map((file) => file.name);
  if (existing.length > 0) {
    const answer = await dialog.showMessageBox(window, {
      type: 'question',
      title: 'Replace files?',
      message: `${existing.join(', ')} already ${existing.length === 1 ? 'exists' : 'exist'} in ${folder}.`,
      detail: 'Replace them with this export?',
      buttons: ['Replace', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
    });
    if (answer.response !== 0) return null;
  }
  writeFiles(folder, files, FOLDER_WRITE_HINTS);
  return folder;
}
