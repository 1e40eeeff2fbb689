import { contextBridge, ipcRenderer } from 'electron';
import type { BridgeApi, EngineEvent, TextFile, RequestName, RequestOf, ResponseOf } from '../benchmarks/contract.js';
import {
  IPC_EVENT_CHANNEL,
  IPC_PICK_DATA_PATH_CHANNEL,
  IPC_PICK_SUITE_FILE_CHANNEL,
  IPC_RENDERER_READY_CHANNEL,
  IPC_REQUEST_CHANNEL,
  IPC_SAVE_FILES_CHANNEL,
  IPC_SAVE_SUITE_FILE_CHANNEL,
} from '../benchmarks/contract-channels.js';
import type { IpcReply } from './bridge-protocol.js';

/**
 * Runs sandboxed in the renderer, bundled by esbuild to dist/electron/preload.cjs. Exposes exactly
 * BridgeApi as window.transferBench, never ipcRenderer itself.
 */

async function invoke<T>(channel: string, ...args: unknown[]): Promise<T> {
  const reply = (await ipcRenderer.invoke(channel, ...args)) as IpcReply<T>;
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

const listeners = new Set<(event: EngineEvent) => void>();
let announcedReady = false;

ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, runEvent: EngineEvent) => {
  for (const listener of listeners) {
    try {
      listener(runEvent);
    } catch (error) {
      console.error('transfer-bench: run event listener failed', error);
    }
  }
});

const api: BridgeApi = {
  request<K extends RequestName>(name: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
    return invoke<ResponseOf<K>>(IPC_REQUEST_CHANNEL, name, request);
  },
  onEvent(listener) {
    listeners.add(listener);
    if (!announcedReady) {
      announcedReady = true;
      ipcRenderer.send(IPC_RENDERER_READY_CHANNEL);
    }
    return () => {
      listeners.delete(listener);
    };
  },
  pickSuiteFile: () => invoke<string | null>(IPC_PICK_SUITE_FILE_CHANNEL),
  saveFiles: (files: TextFile[]) => invoke<string | null>(IPC_SAVE_FILES_CHANNEL, files),
  pickDataPath: (kind) => invoke<string | null>(IPC_PICK_DATA_PATH_CHANNEL, kind),
  saveSuiteFile: (file) => invoke<string | null>(IPC_SAVE_SUITE_FILE_CHANNEL, file),
};

contextBridge.exposeInMainWorld('transferBench', api);
