/**
 * Setup file (vitest.config.ts, the first one): a test file that keeps a core busy waits here for a CPU lane before
 * any of its tests or hooks start, and holds it until it ends (cpu-lanes.ts). The files that mostly wait go on at
 * once. The wait is before the file's timeouts start: nothing here can make a test time out.
 */
import { connect } from 'node:net';
import { relative, resolve } from 'node:path';
import { TestRunner, afterAll, inject } from 'vitest';
import { CPU_LANE_SOCKET, isWaitingFile } from './cpu-lanes.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Connects to the lane server and resolves once it says "go"; the lane is held until the connection ends. */
function takeLane(path: string): Promise<{ release(): void }> {
  return new Promise((resolve) => {
    const socket = connect(path);
    // no lane server (it has gone, or the socket is stale): run without a lane rather than not at all
    socket.once('error', () => resolve({ release: () => socket.destroy() }));
    socket.once('data', () => resolve({ release: () => socket.end() }));
  });
}

const path = inject(CPU_LANE_SOCKET);
const file = TestRunner.getCurrentSuite()?.file.filepath;
if (path && file && !isWaitingFile(relative(ROOT, file))) {
  const lane = await takeLane(path);
  afterAll(() => lane.release());
}
