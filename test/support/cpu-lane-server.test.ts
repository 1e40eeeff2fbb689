import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import setup from './cpu-lane-server.js';
import { CPU_LANES, CPU_LANE_SOCKET } from './cpu-lanes.js';

/** A client of the lane server, and whether it has been told to go. */
function client(path: string): { socket: Socket; going: () => boolean; went: Promise<void> } {
  const socket = connect(path);
  let going = false;
  const went = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  void went.then(() => (going = true));
  return { socket, going: () => going, went };
}

const settle = () => new Promise((r) => setTimeout(r, 200));

describe('the CPU lane server', () => {
  it('lets as many files go as there are lanes, the next one when a file ends or dies, in the order they asked', async () => {
    let path = '';
    const project = {
      provide: (key: string, value: string) => {
        if (key === CPU_LANE_SOCKET) path = value;
      },
    } as unknown as TestProject;
    const teardown = await setup(project);
    try {
      const clients = Array.from({ length: CPU_LANES + 2 }, () => client(path));
      await Promise.all(clients.slice(0, CPU_LANES).map((c) => c.went));
      await settle();
      expect(clients.map((c) => c.going())).toEqual(clients.map((_, i) => i < CPU_LANES));

      // a file that ends frees its lane for the first one waiting
      clients[0]!.socket.end();
      await clients[CPU_LANES]!.went;
      await settle();
      expect(clients[CPU_LANES + 1]!.going()).toBe(false);

      // a process that dies (its connection reset) frees its lane too
      clients[1]!.socket.destroy();
      await clients[CPU_LANES + 1]!.went;
      for (const c of clients) c.socket.destroy();
    } finally {
      await teardown();
    }
  });
});
