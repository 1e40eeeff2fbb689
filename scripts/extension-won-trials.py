#!/usr/bin/env python3
# Usage: /usr/bin/python3 scripts/extension-won-trials.py <suite.db>: ids of the k-fold trials whose learning rate an
# edge-extension candidate won (the trials the 1851e7e rule can change), comma-separated; one line per trial on stderr.
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
ids = []
for tid, appr, size, seed, lr, cands, proto in c.execute(
        "select id, approach, train_size, seed, learning_rate, lr_candidates_json, protocol_json from trials"):
    if not proto or '"kfold"' not in proto or not cands: continue
    cs = json.loads(cands)
    orig = [x['bestValLoss'] for x in cs if not x.get('extended') and x['bestValLoss'] is not None]
    ext = [x['bestValLoss'] for x in cs if x.get('extended') and x['bestValLoss'] is not None]
    if ext and orig and min(ext) < min(orig):
        ids.append(tid); print(tid, appr, size, seed, lr, file=sys.stderr)
print(",".join(map(str, ids)))
