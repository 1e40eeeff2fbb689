import { contextBridge, ipcRenderer } from 'electron';
import type {
  BridgeApi,
  CsvFile,
  IPC_EVENT_CHANNEL as EVENT_CHANNEL,
  IPC_PICK_SUITE_FILE_CHANNEL as PICK_SUITE_FILE_CHANNEL,
  IPC_REQUEST_CHANNEL as REQUEST_CHANNEL,
  IPC_SAVE_FILES_CHANNEL as SAVE_FILES_CHANNEL,
  RequestName,
  RequestOf,
  ResponseOf,
  RunEvent,
} from '../benchmarks/contract.js';
import { IPC_RENDERER_READY_CHANNEL, type IpcReply } from './bridge-protocol.js';

/*
 * The channel names are repeated rather than imported: importing values from benchmarks/contract.ts would
 * bundle zod (about 450 kB) into every page load. Their types are the contract's literal types, so a
 * renamed channel fails the type check until this follows.
 */
const IPC_REQUEST_CHANNEL: typeof REQUEST_CHANNEL = 'transfer-bench:request';
const IPC_EVENT_CHANNEL: typeof EVENT_CHANNEL = 'transfer-bench:event';
const IPC_PICK_SUITE_FILE_CHANNEL: typeof PICK_SUITE_FILE_CHANNEL = 'transfer-bench:pick-suite-file';
const IPC_SAVE_FILES_CHANNEL: typeof SAVE_FILES_CHANNEL = 'transfer-bench:save-files';

/**
 * Runs sandboxed in the renderer, bundled by esbuild to dist/electron/preload.cjs. Exposes exactly
 * BridgeApi as window.transferBench, never ipcRenderer itself.
 */

async function invoke<T>(channel: string, ...args: unknown[]): Promise<T> {
  const reply = (await ipcRenderer.invoke(channel, ...args)) as IpcReply<T>;
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

const listeners = new Set<(event: RunEvent) => void>();
let announcedReady = false;

ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, runEvent: RunEvent) => {
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
  saveFiles: (files: CsvFile[]) => invoke<string | null>(IPC_SAVE_FILES_CHANNEL, files),
};

contextBridge.exposeInMainWorld('transferBench', api);
