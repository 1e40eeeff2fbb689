/** One line for a server that cannot listen (a port in use, a port this user may not bind), instead of Node's own. */
import { UserError } from '../errors.js';

export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return new UserError(
      `port ${port} on ${host} is in use (by another transfer-bench serve, or another program): stop that, or give another --port (0 picks a free one)`,
    );
  }
  if (code === 'EACCES') {
    return new UserError(`this user may not listen on port ${port}: give a --port above 1023 (0 picks a free one)`);
  }
  if (code === 'EADDRNOTAVAIL') {
    return new UserError(`--host ${host} is not an address of this machine: give one of its addresses, or 127.0.0.1`);
  }
  return error;
}
