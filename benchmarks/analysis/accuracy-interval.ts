import type { SuiteSpec } from '../spec/suite-schema.js';
import { CONFIDENCE, mean, sampleVariance, type Interval } from './descriptive.js';
import { normalQuantileOf, studentTQuantile } from './student-t.js';

const logit = (p: number) => Math.log(p / (1 - p));
const expit = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * How many examples every trial's test accuracy was measured on, from the suite's spec: testPerClass times the
 * number of classes, when the spec names them (an MNIST source without a class list has 10). null when the spec does
 * not say (a folder or CSV, or a separate test set): intervals then rest on the seeds alone.
 */
export function testSetSize(spec: Pick<SuiteSpec, 'target'>): number | null {
  const { dataset, testPerClass } = spec.target;
  if (dataset.kind === 'mnist') return testPerClass * (dataset.classes?.length ?? 10);
  if (dataset.kind === 'idx' && !dataset.test) {
    const classes = dataset.classes?.length ?? dataset.classNames?.length;
    return classes === undefined ? null : testPerClass * classes;
  }
  // a separate test file or folder, a folder or a CSV table: the spec does not count the test examples
  return null;
}

/**
 * 95% interval of an approach's expected test accuracy at one size, over seeds and over the test set's own sampling
 * noise, on the logit scale so it never leaves (0, 1) and is not symmetric near 100%:
 *
 * - each trial's accuracy x/m is moved to its Wilson centre (x + z²/2)/(m + z²), so 0% and 100% stay finite, with
 *   binomial variance p̃(1 − p̃)/(m + z²) (Wilson's score interval in variance form);
 * - the test set is the same for every seed, so its noise does not average out over seeds: its variance is the mean
 *   of the trials' binomial variances, added to the seed variance of the mean s²/k;
 * - the sum is carried to the logit scale by the delta method (divide the standard error by p̃(1 − p̃)), and the
 *   critical value is Student's t with Welch–Satterthwaite degrees of freedom (the binomial part has infinitely many),
 *   or the normal one with one seed or no seed spread.
 *
 * Without a test-set size (`testExamples` null) the interval is the seeds' t-interval on the logit scale.
 */
export function accuracyInterval(
  values: readonly number[],
  testExamples: number | null,
  confidence: number = CONFIDENCE,
): Interval {
  const k = values.length;
  if (k === 0) throw new RangeError('an interval needs at least one value');
  const z = normalQuantileOf(1 - (1 - confidence) / 2);
  const m = testExamples;
  const centred =
    m !== null ? values.map((v) => (Math.round(v * m) + (z * z) / 2) / (m + z * z)) : values.map((v) => v);
  const centre = mean(centred);
  if (centre <= 0 || centre >= 1) return { low: centre, high: centre };
  const seedPart = k > 1 ? sampleVariance(centred) / k : 0;
  const testPart = m !== null ? mean(centred.map((p) => (p * (1 - p)) / (m + z * z))) : 0;
  const total = seedPart + testPart;
  if (total === 0) return { low: centre, high: centre };
  const df = seedPart > 0 && k > 1 ? total ** 2 / (seedPart ** 2 / (k - 1)) : Infinity;
  const critical = Number.isFinite(df) ? studentTQuantile(1 - (1 - confidence) / 2, df) : z;
  const half = (critical * Math.sqrt(total)) / (centre * (1 - centre));
  return { low: expit(logit(centre) - half), high: expit(logit(centre) + half) };
}
