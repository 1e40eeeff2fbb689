import { cpus } from 'node:os';

/** "Intel(R) Xeon(R) … (2 cores)" */
export function describeCpu(): string {
  const list = cpus();
  const model = list[0]?.model.trim() ?? 'unknown CPU';
  return `${model} (${list.length} ${list.length === 1 ? 'core' : 'cores'})`;
}
