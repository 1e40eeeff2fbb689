import { InvalidArgumentError, Option } from 'commander';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** "20m", "1.5h", "900s" or "900" (seconds) → seconds of training, summed over trials. */
export function parseBudget(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smh]?)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2] || 's']! : NaN;
  if (!(seconds > 0)) throw new InvalidArgumentError('expected a duration such as 20m, 1.5h or 900s');
  return seconds;
}

/** `run --adaptive [--budget 20m]`: the suite's trials are chosen round after round (benchmarks/design/). */
export const adaptiveOptions = () => [
  new Option(
    '--adaptive',
    "choose the trials round after round from the results so far: the suite's sizes give the range, its seeds the cap",
  ),
  new Option(
    '--budget <time>',
    'with --adaptive: stop once the trials have trained this long, summed over trials (20m, 1.5h, 900s)',
  ).argParser(parseBudget),
];
