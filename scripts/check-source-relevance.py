#!/usr/bin/python3
"""A reviewer's recomputation of the source-relevance claim ("the benefit depends on how relevant the pretrained model
is") of a suite with several sources, from its exported trials.csv, with scipy.

Usage: /usr/bin/python3 scripts/check-source-relevance.py <export folder> [report.md]
(`transfer-bench export <suite> --out <folder>` writes trials.csv; `transfer-bench report <suite>` the report.)

At each size every source is represented by its best transfer approach there (highest mean test accuracy); the best
source is compared with the worst on the seeds both finished: a paired t-test (scipy.stats.ttest_rel), its p-value
multiplied by the number of source pairs k(k-1)/2 (Bonferroni, for picking the best and the worst after the fact),
then Holm's correction over the sizes compared. Prints each size; with a report, compares every size's p-values with
the ones the report's claim states (to their printed rounding) and exits non-zero when one differs.
"""
import csv
import math
import re
import sys
from collections import defaultdict

from scipy import stats


def holm(pvalues):
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    m = len(pvalues)
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def recompute(folder):
    accuracy = defaultdict(dict)  # (source, approach, size) -> seed -> accuracy (fraction)
    sources = []
    with open(f"{folder}/trials.csv", newline="") as f:
        for row in csv.DictReader(f):
            source = row.get("source", "")
            if row["status"] != "done" or row["test_accuracy_pct"] == "" or row["approach"] == "scratch" or not source:
                continue
            if source not in sources:
                sources.append(source)
            accuracy[(source, row["approach"], int(row["train_size"]))][int(row["seed"])] = (
                float(row["test_accuracy_pct"]) / 100
            )
    pairs_of_sources = len(sources) * (len(sources) - 1) // 2
    sizes = sorted({size for (_, _, size) in accuracy})
    rows = []
    for size in sizes:
        best = []
        for source in sources:
            here = [(approach, by_seed) for (s, approach, n), by_seed in accuracy.items() if s == source and n == size]
            if not here:
                break
            approach, by_seed = max(here, key=lambda a: sum(a[1].values()) / len(a[1]))
            best.append((sum(by_seed.values()) / len(by_seed), source, approach, by_seed))
        if len(best) < len(sources):
            continue
        best.sort(key=lambda b: -b[0])
        first, last = best[0], best[-1]
        seeds = sorted(set(first[3]) & set(last[3]))
        if not seeds:
            continue
        a = [first[3][s] for s in seeds]
        b = [last[3][s] for s in seeds]
        diffs = [x - y for x, y in zip(a, b)]
        mean = sum(diffs) / len(diffs)
        if len(seeds) < 2:
            p = None
        elif all(abs(d - diffs[0]) <= 1e-12 * max(1, abs(mean)) for d in diffs):
            p = 1.0 if mean == 0 else 0.0  # no spread: the report's convention
        else:
            p = float(stats.ttest_rel(a, b).pvalue)
        rows.append({"size": size, "first": first[1], "last": last[1], "difference": mean, "seeds": len(seeds), "p": p,
                     "p_sources": None if p is None else min(1.0, p * pairs_of_sources)})
    tested = [r for r in rows if r["p"] is not None]
    for r, adj in zip(tested, holm([r["p_sources"] for r in tested])):
        r["holm"] = adj
    return sources, pairs_of_sources, rows


DETAIL = re.compile(
    r"([\d,]+): (\S+) \(\S+\) [\d.]+%, (\S+) \(\S+\) [\d.]+%, -?[\d.]+ points apart \([^;]*; "
    r"paired t p = ([\d.e+-]+)(?:, ×\d+ source pairs ([\d.e+-]+))?, after Holm ([\d.e+-]+)"
)


def matches(value, text):
    """Whether a value rounds to the report's text: 3 decimals (0.012), or one significant digit below 0.001 (4.2e-4)."""
    if text == "0":
        return value == 0
    shown = float(text)
    if "e" in text:
        mantissa_digits = len(text.split("e")[0].replace(".", "").replace("-", "")) - 1
        return math.isclose(value, shown, rel_tol=0.5 * 10 ** -mantissa_digits / abs(float(text.split("e")[0])) + 1e-9)
    return abs(value - shown) <= 0.0005 + 1e-9


def main(folder, report=None):
    sources, pairs_of_sources, rows = recompute(folder)
    reported = {}
    if report:
        text = open(report, encoding="utf8").read().replace("\\", "")
        for m in DETAIL.finditer(text):
            reported[int(m.group(1).replace(",", ""))] = (m.group(4), m.group(5), m.group(6))
    print(f"sources: {', '.join(sources)} ({pairs_of_sources} pair{'s' if pairs_of_sources != 1 else ''})")
    print(f"{'size':>6}{'best':>12}{'worst':>12}{'diff pts':>10}{'seeds':>6}{'p scipy':>12}{'x pairs':>12}"
          f"{'Holm':>12}   report")
    bad = 0
    for r in rows:
        p = "" if r["p"] is None else f"{r['p']:.4g}"
        ps = "" if r["p_sources"] is None else f"{r['p_sources']:.4g}"
        h = f"{r['holm']:.4g}" if "holm" in r else ""
        note = ""
        if report and "holm" in r:
            got = reported.get(r["size"])
            ok = got is not None and matches(r["p"], got[0]) and matches(r["holm"], got[2]) and (
                got[1] is None or matches(r["p_sources"], got[1]))
            note = f"p = {got[0]}, Holm {got[2]}" if got else "not found"
            if not ok:
                bad += 1
                note += "  MISMATCH"
        print(f"{r['size']:>6}{r['first']:>12}{r['last']:>12}{r['difference'] * 100:>10.2f}{r['seeds']:>6}{p:>12}{ps:>12}"
              f"{h:>12}   {note}")
    print(f"{len(rows)} sizes, Holm family {sum(1 for r in rows if 'holm' in r)}"
          + (f"; {bad} mismatches" if report else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
