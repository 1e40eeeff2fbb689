#!/usr/bin/python3
"""A reviewer's recomputation of a suite's paired tests from its exported CSV files, with scipy.

Usage: /usr/bin/python3 scripts/check-paired-tests.py <export folder>
(`transfer-bench export <suite> --out <folder>` writes trials.csv and comparison.csv there.)

For every transfer approach and size: the paired t-test (scipy.stats.ttest_rel) of its test accuracy against
scratch's over the seeds both finished, then Holm's correction over every approach x size with a p-value of one
source (the comparison table's family: with several sources, each source's approaches against the one scratch
baseline are a family of their own), and Holm over the main approach's sizes alone (the less-data claim's per-size tests,
before its pooled Wilcoxon tests join the family). Prints each row beside comparison.csv's p_value and p_holm and
exits non-zero when one differs by more than the CSV's rounding (4 significant digits).
"""
import csv
import math
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


def main(folder):
    accuracy = defaultdict(dict)  # (approach, source, size) -> seed -> accuracy in %
    with open(f"{folder}/trials.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["status"] != "done" or row["test_accuracy_pct"] == "":
                continue
            key = (row["approach"], row.get("source", ""), int(row["train_size"]))
            accuracy[key][int(row["seed"])] = float(row["test_accuracy_pct"])
    tests = []
    for (approach, source, size), by_seed in sorted(accuracy.items()):
        if approach == "scratch":
            continue
        scratch = accuracy.get(("scratch", "", size), {})
        seeds = sorted(set(by_seed) & set(scratch))
        if len(seeds) < 2:
            continue
        a = [by_seed[s] for s in seeds]
        b = [scratch[s] for s in seeds]
        diffs = [x - y for x, y in zip(a, b)]
        if all(d == diffs[0] for d in diffs):
            p = 1.0 if diffs[0] == 0 else 0.0  # no spread: the report's convention
        else:
            p = float(stats.ttest_rel(a, b).pvalue)
        tests.append({"approach": approach, "source": source, "size": size, "seeds": len(seeds), "p": p})
    # One Holm family per source: each source's transfer approaches against the one scratch baseline (a suite with one
    # source has one family, every approach x size).
    families = defaultdict(list)
    for t in tests:
        families[t["source"]].append(t)
    main_approach = "finetune" if any(t["approach"] == "finetune" for t in tests) else tests[0]["approach"]
    for family in families.values():
        for t, adj in zip(family, holm([t["p"] for t in family])):
            t["holm"] = adj
            t["family"] = len(family)
        claim = [t for t in family if t["approach"] == main_approach]
        for t, adj in zip(claim, holm([t["p"] for t in claim])):
            t["claim_holm"] = adj

    reported = {}
    with open(f"{folder}/comparison.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row.get("p_value", "") == "":
                continue
            key = (row["approach"], row.get("source", ""), int(row["train_size"]))
            reported[key] = (float(row["p_value"]), float(row["p_holm"]), int(row["holm_family"]))

    def close(x, y):
        return math.isclose(x, y, rel_tol=1e-3, abs_tol=1e-12)

    bad = 0
    print(f"{'approach':<24}{'size':>6}{'seeds':>6}{'p scipy':>12}{'p report':>12}{'Holm scipy':>12}{'Holm report':>12}"
          f"{'Holm (claim)':>14}")
    for t in tests:
        p_rep, holm_rep, family = reported.get((t["approach"], t["source"], t["size"]), (float("nan"),) * 2 + (0,))
        ok = close(t["p"], p_rep) and close(t["holm"], holm_rep) and family == t["family"]
        bad += 0 if ok else 1
        claim_holm = f"{t['claim_holm']:.4g}" if "claim_holm" in t else ""
        name = t["approach"] + (f"@{t['source']}" if t["source"] else "")
        print(f"{name:<24}{t['size']:>6}{t['seeds']:>6}{t['p']:>12.4g}{p_rep:>12.4g}{t['holm']:>12.4g}{holm_rep:>12.4g}"
              f"{claim_holm:>14}{'' if ok else '  MISMATCH'}")
    sizes = ", ".join(f"{source or 'the source'}: {len(family)}" for source, family in families.items())
    print(f"{len(tests)} tests, Holm families ({sizes}); {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
