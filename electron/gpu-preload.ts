import { ipcRenderer } from 'electron';

/**
 * Preload of the hidden GPU worker windows (sandboxed, no Node integration), bundled to dist/electron/gpu-preload.cjs.
 * It only passes the MessagePort that the main process sends on to the page, which then talks over that port alone.
 */
const PORT_CHANNEL = 'transfer-bench:gpu-port';
const PORT_MESSAGE = 'transfer-bench-gpu-port';

ipcRenderer.on(PORT_CHANNEL, (event) => {
  (globalThis as unknown as { postMessage(message: unknown, origin: string, transfer: unknown[]): void }).postMessage(
    PORT_MESSAGE,
    '*',
    event.ports,
  );
});
