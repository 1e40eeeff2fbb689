import type { BackendChoice } from '$engine/domain.js';
import type { CurveAxis } from '$engine/charts/data/convergence.js';
import type { CurveSplit, EfficiencyMetric } from '$engine/charts/data/metrics.js';
import type { BandKind } from '$engine/charts/data/stats.js';

export type ThemeChoice = 'system' | 'light' | 'dark';

const STORAGE_KEY = 'transfer-bench:preferences';

interface Stored {
  theme: ThemeChoice;
  backend: BackendChoice;
  workers: number | null;
  efficiencyMetric: EfficiencyMetric;
  band: BandKind;
  /** Band of the convergence chart: min–max by default, since per-epoch 95% intervals on few seeds swamp the lines. */
  curveBand: BandKind;
  showSeeds: boolean;
  curveAxis: CurveAxis;
  smoothing: number;
  logLoss: boolean;
  splits: CurveSplit[];
  /** Crossover tolerance of the analysis, as a fraction of accuracy (0.01 = 1 point). */
  tolerance: number;
}

const DEFAULTS: Stored = {
  theme: 'system',
  backend: 'auto',
  workers: null,
  efficiencyMetric: 'testAccuracy',
  band: 'ci95',
  curveBand: 'minmax',
  showSeeds: false,
  curveAxis: 'epoch',
  smoothing: 0,
  logLoss: false,
  splits: ['train', 'val'],
  tolerance: 0.01,
};

function load(): Stored {
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (!raw) return DEFAULTS;
    const parsed = JSON.parse(raw) as Partial<Stored>;
    return { ...DEFAULTS, ...parsed };
  } catch {
    return DEFAULTS;
  }
}

/** What the user chose in the UI, remembered across launches (localStorage). */
class Preferences {
  theme = $state<ThemeChoice>(DEFAULTS.theme);
  backend = $state<BackendChoice>(DEFAULTS.backend);
  workers = $state<number | null>(DEFAULTS.workers);
  efficiencyMetric = $state<EfficiencyMetric>(DEFAULTS.efficiencyMetric);
  band = $state<BandKind>(DEFAULTS.band);
  curveBand = $state<BandKind>(DEFAULTS.curveBand);
  showSeeds = $state(DEFAULTS.showSeeds);
  curveAxis = $state<CurveAxis>(DEFAULTS.curveAxis);
  smoothing = $state(DEFAULTS.smoothing);
  logLoss = $state(DEFAULTS.logLoss);
  splits = $state<CurveSplit[]>(DEFAULTS.splits);
  tolerance = $state(DEFAULTS.tolerance);

  constructor() {
    const stored = load();
    this.theme = stored.theme;
    this.backend = stored.backend;
    this.workers = stored.workers;
    this.efficiencyMetric = stored.efficiencyMetric;
    this.band = stored.band;
    this.curveBand = stored.curveBand;
    this.showSeeds = stored.showSeeds;
    this.curveAxis = stored.curveAxis;
    this.smoothing = stored.smoothing;
    this.logLoss = stored.logLoss;
    this.splits = stored.splits;
    this.tolerance = stored.tolerance;
  }

  snapshot(): Stored {
    return {
      theme: this.theme,
      backend: this.backend,
      workers: this.workers,
      efficiencyMetric: this.efficiencyMetric,
      band: this.band,
      curveBand: this.curveBand,
      showSeeds: this.showSeeds,
      curveAxis: this.curveAxis,
      smoothing: this.smoothing,
      logLoss: this.logLoss,
      splits: [...this.splits],
      tolerance: this.tolerance,
    };
  }

  /** Writes the current choices; called from an effect so every change is saved. */
  save(snapshot: Stored): void {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(snapshot));
    } catch {
      // Storage may be unavailable (private mode); preferences then last for the session.
    }
  }
}

export const preferences = new Preferences();
