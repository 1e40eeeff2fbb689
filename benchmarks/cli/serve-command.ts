/** What `serve` does once its options are read (main.ts registers it): the app over HTTP until Ctrl-C. */
import { displayLocation } from '../store/location.js';
import { checkDataRoots } from '../service/data-roots.js';
import { createEngineService } from '../service/engine-service.js';
import { isLoopbackHost, startServer } from '../server/http-server.js';
import { listenError } from './listen-error.js';
import { useModelDir } from './model-dir.js';

export interface ServeOptions {
  port: number;
  host: string;
  db: string;
  allowHost: string[];
  dataRoot: string[];
  modelDir?: string;
}

export async function serveAction(options: ServeOptions): Promise<void> {
  useModelDir(options.modelDir);
  const exposed = !isLoopbackHost(options.host);
  const dataRoots = exposed || options.dataRoot.length > 0 ? checkDataRoots(options.dataRoot) : undefined;
  if (exposed) {
    console.error(`warning: serving on ${options.host}: anyone who can reach it can run suites and read results`);
    console.error(
      dataRoots!.length > 0
        ? `suite files and data are read only under ${dataRoots!.join(', ')}`
        : 'no --data-root given: only built-in suites and suites without data files can run; add --data-root <folder> to read suite files and data under it',
    );
  }
  const service = await createEngineService({
    dbPath: options.db,
    followSharedRuns: true,
    ...(dataRoots ? { dataRoots } : {}),
  });
  const server = await startServer({
    service,
    port: options.port,
    host: options.host,
    allowHosts: options.allowHost,
  }).catch(async (error: unknown) => {
    await service.close();
    throw listenError(error, options.host, options.port);
  });
  console.log(`Transfer Bench is at ${server.url} (database ${displayLocation(options.db)}); Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await service.close();
}
