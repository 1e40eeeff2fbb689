import type { EnvironmentInfo, GpuAdapter, GpuReport } from '$engine/contract.js';

/** hardware: a GPU; software: a CPU rasteriser standing in for one; none: nothing offered; info: plain facts. */
export type RowTone = 'hardware' | 'software' | 'none' | 'probing' | 'info';

export interface EnvironmentRow {
  /** Stable key for tests and the list. */
  key: 'engine' | 'webgpu' | 'webgl' | 'auto' | 'cpu';
  label: string;
  value: string;
  /** A short label beside the value (e.g. "software, not a GPU"); null for none. */
  badge: string | null;
  tone: RowTone;
  /** Why, where there is more to say (the reason auto picks what it picks, or why an API has no adapter). */
  detail: string | null;
}

const API_LABEL = { webgpu: 'WebGPU', webgl: 'WebGL2' } as const;

/** "google swiftshader" or "NVIDIA Corporation, NVIDIA GeForce RTX 3080/PCIe/SSE2" */
export function adapterLabel(adapter: GpuAdapter): string {
  const name = [adapter.vendor, adapter.architecture].filter((p) => p !== '').join(' ');
  return [name, adapter.description].filter((p) => p !== '').join(', ') || 'unnamed adapter';
}

function apiRow(api: 'webgpu' | 'webgl', report: GpuReport): EnvironmentRow {
  const adapter = report[api];
  if (adapter) {
    return {
      key: api,
      label: API_LABEL[api],
      value: adapterLabel(adapter),
      badge: adapter.software ? 'software, not a GPU' : 'hardware GPU',
      tone: adapter.software ? 'software' : 'hardware',
      detail: null,
    };
  }
  const problem = report.problems.find((p) => p.startsWith(`${api}:`));
  return {
    key: api,
    label: API_LABEL[api],
    value: 'none',
    badge: null,
    tone: 'none',
    detail: problem ? problem.slice(api.length + 1).trim() : report.engine === null ? 'no browser engine' : null,
  };
}

/** The environment panel's rows: the GPU the browser engine offers (or "probing…"), what auto picks, the CPU. */
export function environmentRows(info: EnvironmentInfo): EnvironmentRow[] {
  const cpu: EnvironmentRow = { key: 'cpu', label: 'CPU', value: info.cpu, badge: null, tone: 'info', detail: null };
  if (info.probing || info.gpu === null) {
    const probing = (key: 'engine' | 'auto', label: string): EnvironmentRow => ({
      key,
      label,
      value: 'probing…',
      badge: null,
      tone: 'probing',
      detail: null,
    });
    return [probing('engine', 'GPU'), probing('auto', 'Auto picks'), cpu];
  }
  const report = info.gpu;
  const engine: EnvironmentRow =
    report.engine === null
      ? {
          key: 'engine',
          label: 'Browser engine',
          value: 'none found',
          badge: null,
          tone: 'none',
          detail: report.problems.join('; '),
        }
      : { key: 'engine', label: 'Browser engine', value: report.engine, badge: null, tone: 'info', detail: null };
  const auto: EnvironmentRow = info.auto
    ? {
        key: 'auto',
        label: 'Auto picks',
        value: info.auto.backend,
        badge: null,
        tone: 'info',
        detail: info.auto.reason,
      }
    : {
        key: 'auto',
        label: 'Auto picks',
        value: 'unknown',
        badge: null,
        tone: 'none',
        detail: report.problems.join('; '),
      };
  return [engine, apiRow('webgpu', report), apiRow('webgl', report), auto, cpu];
}
