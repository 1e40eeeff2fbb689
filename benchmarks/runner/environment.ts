import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BackendInfo } from '../backend/select-backend.js';
import type { EnvironmentInfo } from '../domain.js';
import { packageRoot } from '../paths.js';

const require = createRequire(import.meta.url);
const readVersion = (pkg: string): string => (require(pkg) as { version: string }).version;

/** Where a suite runs: recorded with the suite so every result can be traced to its software and hardware. */
export function environmentInfo(backend: BackendInfo | null): EnvironmentInfo {
  const cpuList = cpus();
  return {
    appVersion: readVersion(join(packageRoot(), 'package.json')),
    nodeVersion: process.versions.node,
    tfjsVersion: readVersion('@tensorflow/tfjs-core/package.json'),
    platform: process.platform,
    arch: process.arch,
    cpus: `${cpuList.length} × ${cpuList[0]?.model ?? 'unknown CPU'}`,
    backend: backend?.name ?? null,
    device: backend?.device ?? null,
  };
}
