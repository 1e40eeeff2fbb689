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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
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
  project.provide(CPU_LANE_SOCKET, path);
  return async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // connections still open belong to test processes vitest is ending; do not wait for them
      for (const socket of connections) socket.destroy();
    });
    rmSync(dir, { recursive: true, force: true });
  };
}
