import type { BridgeApi } from '$engine/contract.js';
import { clientOver, type AppTransport } from './transport.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    transferBench?: BridgeApi;
  }
}

export function electronTransport(bridge: BridgeApi): AppTransport {
  return {
    kind: 'electron',
    client: clientOver((name, request) => bridge.request(name, request)),
    subscribe(onEvent, onStatus) {
      // IPC needs no connection: it is open as soon as the listener is.
      const off = bridge.onEvent(onEvent);
      onStatus('open');
      return off;
    },
    async pickSuite() {
      const path = await bridge.pickSuiteFile();
      return path === null ? null : { kind: 'file', path };
    },
    saveFiles: (files) => bridge.saveFiles(files),
    pickDataPath: (kind) => bridge.pickDataPath(kind),
    saveSuite: (file) => bridge.saveSuiteFile(file),
  };
}
