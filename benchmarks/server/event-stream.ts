import type { ServerResponse } from 'node:http';
import type { EngineEvent } from '../domain.js';

/** A client that stops reading gets dropped once this much is buffered for it. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Server-Sent Events to every connected browser: one `data: <EngineEvent JSON>` message per event, plus heartbeats. */
export class EventStreamHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(heartbeatMs = 15_000) {
    this.heartbeat = setInterval(() => this.writeAll(`: heartbeat ${Date.now()}\n\n`), heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over the response: sends the stream headers and keeps it open until the client leaves or the hub closes. */
  add(res: ServerResponse, headers: Readonly<Record<string, string>>): void {
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  broadcast(event: EngineEvent): void {
    this.writeAll(`data: ${JSON.stringify(event)}\n\n`);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private writeAll(chunk: string): void {
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        res.destroy();
        this.clients.delete(res);
        continue;
      }
      res.write(chunk);
    }
  }
}
