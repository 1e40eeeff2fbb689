import { electronTransport } from './electron-transport.js';
import { httpTransport } from './http-transport.js';
import type { AppTransport } from './transport.js';

export type { AppTransport, EventStreamStatus } from './transport.js';

/** Electron when the preload exposed its bridge, otherwise HTTP to the server that served this page. */
export function createTransport(): AppTransport {
  const bridge = window.transferBench;
  return bridge ? electronTransport(bridge) : httpTransport();
}
