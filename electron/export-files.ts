import { dialog, type BrowserWindow } from 'electron';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
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
