/**
 * Global setup (vitest.config.ts): hands out the CPU lanes (cpu-lanes.ts) to the test files, in the order they ask.
 * A test file connects to a Unix socket, is told "go" when a lane is free, and holds the lane until its connection
 * closes: at the file's end, or when its process dies, so a crashed file never keeps a lane.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { TestProject } from 'vitest/node';
import { CPU_LANES, CPU_LANE_SOCKET } from './cpu-lanes.js';

/** Resolves when the socket has closed (at once if it already has). */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

/** The lane server, one per `vitest run`: each Vitest project runs the global setup, and all must share its lanes. */
interface LaneServer {
  path: string;
  users: number;
  stop: () => Promise<void>;
}
const SHARED = Symbol.for('transfer-bench.cpu-lane-server');
type WithServer = typeof globalThis & { [SHARED]?: Promise<LaneServer> };

async function startServer(): Promise<LaneServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-cpu-lanes-'));
  const path = join(dir, 'lanes.sock');
  const lanes = pLimit(CPU_LANES);
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    // A test process that dies while it waits or holds a lane resets its connection: that only frees the lane.
    socket.on('error', () => {});
    void lanes(async () => {
      if (socket.destroyed) return;
      socket.write('go\n');
      await closed(socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  const stop = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // connections still open belong to test processes vitest is ending; do not wait for them
      for (const socket of connections) socket.destroy();
    });
    rmSync(dir, { recursive: true, force: true });
  };
  return { path, users: 0, stop };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = globalThis as WithServer;
  shared[SHARED] ??= startServer();
  const lanes = await shared[SHARED];
  lanes.users += 1;
  project.provide(CPU_LANE_SOCKET, lanes.path);
  return async () => {
    lanes.users -= 1;
    if (lanes.users > 0) return;
    delete shared[SHARED];
    await lanes.stop();
  };
}
