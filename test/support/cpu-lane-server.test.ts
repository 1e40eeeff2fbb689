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

  it('is one server for every Vitest project of a run: the lanes are shared, and it stops with the last project', async () => {
    const paths: string[] = [];
    const project = {
      provide: (key: string, value: string) => {
        if (key === CPU_LANE_SOCKET) paths.push(value);
      },
    } as unknown as TestProject;
    const first = await setup(project);
    const second = await setup(project);
    expect(paths).toHaveLength(2);
    expect(paths[1]).toBe(paths[0]);
    // as many files go as there are lanes, whichever project they belong to
    const clients = Array.from({ length: CPU_LANES + 1 }, () => client(paths[0]!));
    await Promise.all(clients.slice(0, CPU_LANES).map((c) => c.went));
    await settle();
    expect(clients.at(-1)!.going()).toBe(false);
    for (const c of clients) c.socket.destroy();
    await first();
    // still serving the other project
    const late = client(paths[0]!);
    await late.went;
    late.socket.destroy();
    await second();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(paths[0]!);
      socket.once('error', () => resolve(true));
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
    });
    expect(refused).toBe(true);
  });
});
