/**
 * What travels between the preload and the main process besides the contract's own channel names
 * (benchmarks/contract.ts). Shared by electron/preload.ts and electron/ipc.ts only.
 */

export { IPC_RENDERER_READY_CHANNEL } from '../benchmarks/contract-channels.js';

/** Every invoke answers with this envelope, so the renderer gets our message and not Electron's "Error invoking remote method" wrapper. */
export type IpcReply<T> = { ok: true; value: T } | { ok: false; error: string };
