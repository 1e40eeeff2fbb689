/** Names the engine and its UIs meet at. Kept free of imports so the preload and the renderer bundle them cheaply. */

/** HTTP binding (`transfer-bench serve`): POST `${HTTP_API_PREFIX}${name}` with the request as JSON body. */
export const HTTP_API_PREFIX = '/api/';
/** HTTP binding: Server-Sent Events, one `data: <EngineEvent JSON>` per event (run events and catalogue downloads). */
export const HTTP_EVENTS_PATH = '/api/events';

/** Electron IPC channels. */
export const IPC_REQUEST_CHANNEL = 'transfer-bench:request';
export const IPC_EVENT_CHANNEL = 'transfer-bench:event';
export const IPC_PICK_SUITE_FILE_CHANNEL = 'transfer-bench:pick-suite-file';
export const IPC_SAVE_FILES_CHANNEL = 'transfer-bench:save-files';
export const IPC_PICK_DATA_PATH_CHANNEL = 'transfer-bench:pick-data-path';
export const IPC_SAVE_SUITE_FILE_CHANNEL = 'transfer-bench:save-suite-file';
/** Sent once by the preload when the renderer first listens for run events: queued events may flow. */
export const IPC_RENDERER_READY_CHANNEL = 'transfer-bench:renderer-ready';
