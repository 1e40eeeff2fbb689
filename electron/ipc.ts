import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type IpcMainEvent } from 'electron';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import {
  IPC_EVENT_CHANNEL,
  IPC_PICK_DATA_PATH_CHANNEL,
  IPC_PICK_SUITE_FILE_CHANNEL,
  IPC_REQUEST_CHANNEL,
  IPC_SAVE_FILES_CHANNEL,
  IPC_SAVE_SUITE_FILE_CHANNEL,
  looksLikeCatalogueName,
  type EngineEvent,
} from '../benchmarks/contract.js';
import { UserError, errorMessage } from '../benchmarks/errors.js';
import { loadSuiteUnderRoots } from '../benchmarks/service/data-roots.js';
import { dispatchRequest, type ServedService } from '../benchmarks/service/dispatch.js';
import { isAppUrl } from './app-protocol.js';
import { IPC_RENDERER_READY_CHANNEL, type IpcReply } from './bridge-protocol.js';
import {
  dataPathKind,
  pickDataPath,
  pickSuiteFile,
  saveFilesSchema,
  saveFilesToFolder,
  saveSuiteFile,
  suiteFileSchema,
} from './export-files.js';

/**
 * The path of a startSuite request's file source when the user did not choose it in the dialog, else null. Only
 * the shape is looked at here; the request is validated as usual afterwards.
 */
function unpickedSuiteFile(request: unknown, picked: ReadonlySet<string>): string | null {
  const source = (request as { source?: { kind?: unknown; path?: unknown } } | null)?.source;
  if (source?.kind !== 'file') return null;
  if (typeof source.path !== 'string') return '(no path)';
  return picked.has(resolve(source.path)) ? null : source.path;
}

/**
 * The first path of a draftSuite request (its target, then its source) that the user did not choose in the suite
 * builder's dialogs, else null: the renderer may look only at data the user pointed at.
 */
function unpickedDataPath(request: unknown, picked: ReadonlyMap<string, string>): string | null {
  const { target, source } = (request ?? {}) as { target?: unknown; source?: unknown };
  // a catalogue name as source is no path on this computer
  const named = typeof source === 'string' && looksLikeCatalogueName(source);
  for (const path of source === undefined || named ? [target] : [target, source]) {
    if (typeof path !== 'string') return '(no path)';
    if (!picked.has(resolve(path))) return path;
  }
  return null;
}

class OutsidePickedFolders extends UserError {}

/**
 * The refusal for a startSuite request with a text source (suite JSON sent by the renderer rather than a file the user
 * opened) that reads data outside the folders the user opened suite files from in this session, else null. The app's
 * own UI only sends files chosen in the dialog; text is what a compromised page could send, so its data is held to
 * what the user already showed us: the same guard as `serve --data-root` (symbolic links followed, data folders'
 * links checked too), with the picked suite files' folders as the roots.
 */
function textSuiteOutsidePicked(
  request: unknown,
  picked: ReadonlySet<string>,
  dataRoots: Iterable<string>,
): string | null {
  const source = (request as { source?: { kind?: unknown; text?: unknown; origin?: unknown } } | null)?.source;
  if (source?.kind !== 'text' || typeof source.text !== 'string') return null;
  const roots = [...new Set([...[...picked].map((file) => dirname(file)), ...dataRoots])];
  const origin = typeof source.origin === 'string' ? source.origin : 'uploaded suite';
  try {
    loadSuiteUnderRoots(
      { kind: 'text', text: source.text, origin },
      roots,
      (path, allowed) =>
        new OutsidePickedFolders(
          `refused: the suite reads ${path}, which is not under a folder you opened a suite file from or chose in New suite in this session` +
            (allowed.length > 0 ? ` (${allowed.join(', ')})` : '') +
            '; open the suite with "Open suite file" instead',
        ),
    );
    return null;
  } catch (error) {
    // An invalid suite is the service's to report, with its usual message.
    if (error instanceof OutsidePickedFolders) return error.message;
    return null;
  }
}

/** Events kept for a renderer that is not listening yet (loading, reloading); the oldest go first. */
const MAX_QUEUED_EVENTS = 20_000;

export interface IpcBinding {
  /** The window whose renderer may call us and receives run events (one at a time). */
  attach(window: BrowserWindow): void;
  dispose(): void;
}

/**
 * Binds the contract on IPC: every request is validated in this process, only our own window's top frame
 * on our own origin is answered, run events go to the renderer once it listens and are queued until then.
 */
export function setupIpc(service: ServedService): IpcBinding {
  let window: BrowserWindow | null = null;
  let ready = false;
  const queue: EngineEvent[] = [];
  /** Suite files the user chose in the open dialog: the only files the renderer may start. */
  const pickedSuiteFiles = new Set<string>();
  /**
   * Data the user chose in the suite builder's dialogs (folder, CSV file or model.json), each with the folder or file a
   * suite drafted for it may read: the folder, the table, the model's folder (its weights lie beside it).
   */
  const pickedDataPaths = new Map<string, string>();

  function fromOurRenderer(event: IpcMainInvokeEvent | IpcMainEvent): boolean {
    const frame = event.senderFrame;
    return (
      window !== null &&
      !window.isDestroyed() &&
      event.sender === window.webContents &&
      frame !== null &&
      frame === window.webContents.mainFrame &&
      isAppUrl(frame.url)
    );
  }

  function deliver(event: EngineEvent): void {
    if (window && !window.isDestroyed() && ready) window.webContents.send(IPC_EVENT_CHANNEL, event);
    else {
      queue.push(event);
      if (queue.length > MAX_QUEUED_EVENTS) queue.splice(0, queue.length - MAX_QUEUED_EVENTS);
    }
  }

  function refused(channel: string): IpcReply<never> {
    console.warn(`transfer-bench: refused ${channel} from a sender that is not the Transfer Bench window`);
    return { ok: false, error: 'refused: not the Transfer Bench window' };
  }

  ipcMain.handle(IPC_REQUEST_CHANNEL, async (event, name: unknown, request: unknown): Promise<IpcReply<unknown>> => {
    if (!fromOurRenderer(event)) return refused(IPC_REQUEST_CHANNEL);
    if (typeof name !== 'string') return { ok: false, error: 'request name must be a string' };
    const notPicked = name === 'startSuite' ? unpickedSuiteFile(request, pickedSuiteFiles) : null;
    if (notPicked !== null) {
      console.warn(`transfer-bench: refused startSuite for ${notPicked}: not a file chosen in the open dialog`);
      return { ok: false, error: `refused: ${notPicked} was not chosen in the "Open a suite file" dialog` };
    }
    const notPickedData = name === 'draftSuite' ? unpickedDataPath(request, pickedDataPaths) : null;
    if (notPickedData !== null) {
      console.warn(`transfer-bench: refused draftSuite for ${notPickedData}: not chosen in a New suite dialog`);
      return {
        ok: false,
        error: `refused: ${notPickedData} was not chosen in a New suite dialog; choose it with "Choose…"`,
      };
    }
    const outsidePicked =
      name === 'startSuite' ? textSuiteOutsidePicked(request, pickedSuiteFiles, pickedDataPaths.values()) : null;
    if (outsidePicked !== null) {
      console.warn(`transfer-bench: ${outsidePicked}`);
      return { ok: false, error: outsidePicked };
    }
    const result = await dispatchRequest(service, name, request);
    return result.ok ? { ok: true, value: result.value } : { ok: false, error: result.message };
  });

  ipcMain.handle(IPC_PICK_SUITE_FILE_CHANNEL, async (event): Promise<IpcReply<string | null>> => {
    if (!fromOurRenderer(event) || !window) return refused(IPC_PICK_SUITE_FILE_CHANNEL);
    try {
      const path = await pickSuiteFile(window);
      if (path !== null) pickedSuiteFiles.add(resolve(path));
      return { ok: true, value: path };
    } catch (error) {
      return { ok: false, error: `could not open the file dialog: ${errorMessage(error)}` };
    }
  });

  ipcMain.handle(IPC_PICK_DATA_PATH_CHANNEL, async (event, kind: unknown): Promise<IpcReply<string | null>> => {
    if (!fromOurRenderer(event) || !window) return refused(IPC_PICK_DATA_PATH_CHANNEL);
    const parsed = dataPathKind.safeParse(kind);
    if (!parsed.success) return { ok: false, error: 'what to choose must be "folder", "csv" or "model"' };
    try {
      const path = await pickDataPath(window, parsed.data);
      if (path !== null) {
        const full = resolve(path);
        pickedDataPaths.set(full, parsed.data === 'model' ? dirname(full) : full);
      }
      return { ok: true, value: path };
    } catch (error) {
      return { ok: false, error: `could not open the dialog: ${errorMessage(error)}` };
    }
  });

  ipcMain.handle(IPC_SAVE_SUITE_FILE_CHANNEL, async (event, file: unknown): Promise<IpcReply<string | null>> => {
    if (!fromOurRenderer(event) || !window) return refused(IPC_SAVE_SUITE_FILE_CHANNEL);
    const parsed = suiteFileSchema.safeParse(file);
    if (!parsed.success) return { ok: false, error: `invalid suite file to save:\n${z.prettifyError(parsed.error)}` };
    try {
      return { ok: true, value: await saveSuiteFile(window, parsed.data) };
    } catch (error) {
      if (error instanceof UserError) return { ok: false, error: error.message };
      return { ok: false, error: `could not save the suite file: ${errorMessage(error)}` };
    }
  });

  ipcMain.handle(IPC_SAVE_FILES_CHANNEL, async (event, files: unknown): Promise<IpcReply<string | null>> => {
    if (!fromOurRenderer(event) || !window) return refused(IPC_SAVE_FILES_CHANNEL);
    const parsed = saveFilesSchema.safeParse(files);
    if (!parsed.success) return { ok: false, error: `invalid files to save:\n${z.prettifyError(parsed.error)}` };
    try {
      return { ok: true, value: await saveFilesToFolder(window, parsed.data) };
    } catch (error) {
      // writeFiles' UserError already names the path and what to do.
      if (error instanceof UserError) return { ok: false, error: error.message };
      return { ok: false, error: `could not save the files: ${errorMessage(error)}` };
    }
  });

  const onReady = (event: IpcMainEvent): void => {
    if (!fromOurRenderer(event) || !window) return;
    ready = true;
    for (const queued of queue.splice(0)) window.webContents.send(IPC_EVENT_CHANNEL, queued);
  };
  ipcMain.on(IPC_RENDERER_READY_CHANNEL, onReady);

  const unsubscribe = service.subscribe(deliver);

  return {
    attach(next) {
      window = next;
      ready = false;
      // A reload drops the renderer's listeners: queue until it listens again.
      next.webContents.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) ready = false;
      });
      next.webContents.on('render-process-gone', () => {
        ready = false;
      });
      next.on('closed', () => {
        if (window === next) {
          window = null;
          ready = false;
        }
      });
    },
    dispose() {
      unsubscribe();
      ipcMain.removeHandler(IPC_REQUEST_CHANNEL);
      ipcMain.removeHandler(IPC_PICK_SUITE_FILE_CHANNEL);
      ipcMain.removeHandler(IPC_SAVE_FILES_CHANNEL);
      ipcMain.removeHandler(IPC_PICK_DATA_PATH_CHANNEL);
      ipcMain.removeHandler(IPC_SAVE_SUITE_FILE_CHANNEL);
      ipcMain.off(IPC_RENDERER_READY_CHANNEL, onReady);
    },
  };
}
