/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temporary folder, listening on loopback only, with
 * trust authentication. Never a mock: the PostgreSQL tests run against the real server binaries
 * (`requireSystem('postgresql')` decides whether they are there). As root, the server runs as the `postgres` user,
 * because PostgreSQL refuses to run as root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresBinDir } from './system.js';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  adminUrl: string;
  port: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server fast (open connections are cut) and starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops the server fast (open connections are cut), keeping its data; `up` starts it again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function runAs(user: string | null, command: string, args: string[]): void {
  const [file, argv] = user ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
}

/**
 * An empty cluster made by initdb once per machine and PostgreSQL version, which each server copies (0.1 s) in place of
 * running initdb itself (1 CPU s, and the test files start 17 servers). Made in a folder of its own and renamed into
 * place whole, so a file that finds it finds a finished one; as root, owned by `postgres` like the copies.
 */
function templateCluster(bin: string, owner: { user: string; uid: number; gid: number } | null): string {
  const template = join(tmpdir(), `tb-pg-template-${bin.split('/').slice(-2, -1)[0]}-${process.getuid?.() ?? 0}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const building = mkdtempSync(`${template}-building-`);
  try {
    if (owner) chownSync(building, owner.uid, owner.gid);
    const data = join(building, 'data');
    runAs(owner?.user ?? null, join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    try {
      renameSync(data, template);
    } catch (error) {
      // another test file made it first
      if (!existsSync(join(template, 'PG_VERSION'))) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries: apt-get install postgresql');
  const root = mkdtempSync(join(tmpdir(), 'tb-pg-'));
  const dataDir = join(root, 'data');
  const user = process.getuid?.() === 0 ? 'postgres' : null;
  const owner = user
    ? {
        user,
        uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()),
        gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim()),
      }
    : null;
  if (owner) {
    chownSync(root, owner.uid, owner.gid);
    chmodSync(root, 0o700);
  }
  // cp -a keeps owner and modes: PostgreSQL wants its data folder 0700 and owned by the user it runs as
  runAs(null, 'cp', ['-a', templateCluster(bin, owner), dataDir]);
  const port = await freePort();
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = (): void =>
    runAs(user, join(bin, 'pg_ctl'), ['-D', dataDir, '-o', options, '-l', join(root, 'server.log'), '-w', 'start']);
  const stopServer = (): void => runAs(user, join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  start();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  let running = true;
  return {
    adminUrl,
    port,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async restart() {
      stopServer();
      start();
    },
    async down() {
      stopServer();
      running = false;
    },
    async up() {
      start();
      running = true;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (running) stopServer();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
