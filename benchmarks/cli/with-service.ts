/** The engine service for one CLI command, closed after it (the run's, `list`'s, `export`'s…). */
import { createEngineService, type EngineService } from '../service/engine-service.js';

export async function withService<T>(
  dbPath: string,
  action: (service: EngineService) => Promise<T>,
  options: { readonly?: boolean } = {},
): Promise<T> {
  const service = await createEngineService({ dbPath, readonly: options.readonly ?? false });
  let result: T;
  try {
    result = await action(service);
  } catch (error) {
    // The action's error is the one to show: closing may fail for the same cause (e.g. a full disk).
    await service.close().catch(() => {});
    throw error;
  }
  await service.close();
  return result;
}
