import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type IpcMainEvent } from 'electron';
import { z } from 'zod';
import {
  IPC_EVENT_CHANNEL,
  IPC_PICK_SUITE_FILE_CHANNEL,
  IPC_REQUEST_CHANNEL,
  IPC_SAVE_FILES_CHANNEL,
  type RunEvent,
} from '../benchmarks/contract.js';
import { errorMessage } from '../benchmarks/errors.js';
import { dispatchRequest, type ServedService } from '../benchmarks/service/dispatch.js';
import { isAppUrl } from './app-protocol.js';
import { IPC_RENDERER_READY_CHANNEL, type IpcReply } from './bridge-protocol.js';
import { pickSuiteFile, saveFilesSchema, saveFilesToFolder } from './export-files.js';

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
  const queue: RunEvent[] = [];

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

  function deliver(event: RunEvent): void {
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
    const result = await dispatchRequest(service, name, request);
    return result.ok ? { ok: true, value: result.value } : { ok: false, error: result.message };
  });

  ipcMain.handle(IPC_PICK_SUITE_FILE_CHANNEL, async (event): Promise<IpcReply<string | null>> => {
    if (!fromOurRenderer(event) || !window) return refused(IPC_PICK_SUITE_FILE_CHANNEL);
    try {
      return { ok: true, value: await pickSuiteFile(window) };
    } catch (error) {
      return { ok: false, error: `could not open the file dialog: ${errorMessage(error)}` };
    }
  });

  ipcMain.handle(IPC_SAVE_FILES_CHANNEL, async (event, files: unknown): Promise<IpcReply<string | null>> => {
    if (!fromOurRenderer(event) || !window) return refused(IPC_SAVE_FILES_CHANNEL);
    const parsed = saveFilesSchema.safeParse(files);
    if (!parsed.success) return { ok: false, error: `invalid files to save:\n${z.prettifyError(parsed.error)}` };
    try {
      return { ok: true, value: await saveFilesToFolder(window, parsed.data) };
    } catch (error) {
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
      ipcMain.off(IPC_RENDERER_READY_CHANNEL, onReady);
    },
  };
}
