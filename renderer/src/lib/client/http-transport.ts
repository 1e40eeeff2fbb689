import type {
  ContractError,
  TextFile,
  RequestName,
  RequestOf,
  ResponseOf,
  EngineEvent,
  SuiteSource,
} from '$engine/contract.js';
import { HTTP_API_PREFIX, HTTP_EVENTS_PATH } from '$engine/contract-channels.js';
import { clientOver, type AppTransport, type EventStreamStatus } from './transport.js';

function isContractError(value: unknown): value is ContractError {
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string';
}

/** Resolves API paths against the page, so the app works when served under a sub-path too. */
function apiUrl(path: string): string {
  return new URL(`.${path}`, document.baseURI).toString();
}

async function post<K extends RequestName>(name: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
  let response: Response;
  try {
    response = await fetch(apiUrl(`${HTTP_API_PREFIX}${name}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
  } catch {
    throw new Error('Cannot reach the Transfer Bench server. Is `transfer-bench serve` still running?');
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // fall through: reported below
  }
  if (!response.ok) {
    throw new Error(
      isContractError(body) ? body.error : `${name} failed: HTTP ${response.status} ${response.statusText}`,
    );
  }
  if (body === null && text) throw new Error(`${name}: the server answered with something that is not JSON`);
  return body as ResponseOf<K>;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

function subscribe(onEvent: (event: EngineEvent) => void, onStatus: (status: EventStreamStatus) => void): () => void {
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let delay = RECONNECT_MIN_MS;
  let closed = false;
  let everOpened = false;

  const connect = () => {
    if (closed) return;
    source = new EventSource(apiUrl(HTTP_EVENTS_PATH));
    source.onopen = () => {
      delay = RECONNECT_MIN_MS;
      everOpened = true;
      onStatus('open');
    };
    source.onmessage = (message: MessageEvent<string>) => {
      try {
        onEvent(JSON.parse(message.data) as EngineEvent);
      } catch (error) {
        console.error('Ignoring a run event that is not JSON', error);
      }
    };
    source.onerror = () => {
      onStatus(everOpened ? 'reconnecting' : 'connecting');
      // The browser retries by itself while the stream is CONNECTING; once CLOSED we retry, backing off.
      if (source?.readyState === EventSource.CLOSED) {
        source.close();
        timer = setTimeout(connect, delay);
        delay = Math.min(RECONNECT_MAX_MS, delay * 2);
      }
    };
  };
  onStatus('connecting');
  connect();
  return () => {
    closed = true;
    if (timer !== null) clearTimeout(timer);
    source?.close();
  };
}

/** Opens the browser's file picker for a suite JSON file and reads it as text. */
function pickSuite(): Promise<SuiteSource | null> {
  return new Promise((resolve, reject) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.json,application/json';
    input.style.display = 'none';
    const cleanup = () => input.remove();
    input.addEventListener('cancel', () => {
      cleanup();
      resolve(null);
    });
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      cleanup();
      if (!file) return resolve(null);
      file.text().then(
        (text) => resolve({ kind: 'text', text, origin: file.name }),
        () => reject(new Error(`Could not read ${file.name}`)),
      );
    });
    document.body.append(input);
    input.click();
  });
}

function mimeOf(name: string): string {
  if (name.endsWith('.html')) return 'text/html';
  if (name.endsWith('.md')) return 'text/markdown';
  if (name.endsWith('.json')) return 'application/json';
  return 'text/csv';
}

/** Downloads each file through a Blob URL. */
async function saveFiles(files: TextFile[]): Promise<string | null> {
  for (const file of files) {
    const url = URL.createObjectURL(new Blob([file.content], { type: `${mimeOf(file.name)};charset=utf-8` }));
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = file.name;
    anchor.style.display = 'none';
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    // Give the download a moment to start before the URL goes away; browsers may also ask before several downloads.
    await new Promise((r) => setTimeout(r, 150));
    URL.revokeObjectURL(url);
  }
  return 'your downloads folder';
}

export function httpTransport(): AppTransport {
  return {
    kind: 'http',
    client: clientOver(post),
    subscribe,
    pickSuite,
    saveFiles,
    pickDataPath: null,
    // A download: the browser may be on another machine than the server (a GPU box), and the file lands where the
    // user is; "Open suite file" uploads it again.
    saveSuite: (file) => saveFiles([file]),
  };
}
