#!/usr/bin/python3
"""
An independent baseline for the debian-text suite: bag-of-words logistic regression (scikit-learn), trained at the
suite's sizes on the same target table, three seeds. Its own split: 100 descriptions per section held out (fixed
seed), each training subset stratified from the rest. Prints test accuracy per size (mean and range over seeds).

    /usr/bin/python3 scripts/debian-text-baseline.py [data/debian-descriptions/target.csv]
"""
import csv
import sys

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

SIZES = [50, 100, 250, 500, 1000, 2500]
SEEDS = [0, 1, 2]
TEST_PER_CLASS = 100

path = sys.argv[1] if len(sys.argv) > 1 else 'data/debian-descriptions/target.csv'
with open(path, newline='', encoding='utf-8') as f:
    rows = list(csv.DictReader(f))
texts = np.array([r['description'] for r in rows], dtype=object)
labels = np.array([r['section'] for r in rows])
classes = sorted(set(labels))

fixed = np.random.default_rng(12345)
test, pool = [], []
for c in classes:
    idx = fixed.permutation(np.flatnonzero(labels == c))
    test.extend(idx[:TEST_PER_CLASS])
    pool.extend(idx[TEST_PER_CLASS:])
test, pool = np.array(test), np.array(pool)

print(f'{path}: {len(rows)} rows, classes {", ".join(classes)}; test {len(test)}, pool {len(pool)}')
print('size  accuracy % (mean, min-max over seeds)')
for size in SIZES:
    scores = []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        per = size // len(classes)
        chosen = np.concatenate([rng.permutation(pool[labels[pool] == c])[:per] for c in classes])
        vectorizer = CountVectorizer(lowercase=True, token_pattern=r"(?u)\b\w[\w']*\b")
        x = vectorizer.fit_transform(texts[chosen])
        model = LogisticRegression(C=1.0, max_iter=2000).fit(x, labels[chosen])
        scores.append(100 * model.score(vectorizer.transform(texts[test]), labels[test]))
    print(f'{size:<5} {np.mean(scores):5.1f} ({min(scores):.1f}-{max(scores):.1f})')
