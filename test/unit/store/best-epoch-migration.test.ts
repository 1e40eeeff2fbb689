import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../benchmarks/store/migrations.js';
import { openDb } from '../../../benchmarks/store/open-db.js';

/** The migration that puts best_epoch of k-fold trials in the unit of epochs (the one that mentions it). */
const BEST_EPOCH = MIGRATIONS.findIndex((m) => /UPDATE trials SET best_epoch = epochs/.test(m));

describe('best_epoch migration', () => {
  it('puts k-fold trials’ best epoch in the unit of epochs and leaves held-out trials as they were', () => {
    expect(BEST_EPOCH).toBeGreaterThan(0);
    const path = join(mkdtempSync(join(tmpdir(), 'tb-best-epoch-')), 'results.db');
    const old = new Database(path);
    for (const m of MIGRATIONS.slice(0, BEST_EPOCH)) old.exec(m);
    old.pragma(`user_version = ${BEST_EPOCH}`);
    old.exec(`INSERT INTO suites (id, name, status, spec_json, base_dir, backend_choice, env_json, created_at)
              VALUES (1, 's', 'done', '{}', '.', 'auto', '{}', 'now')`);
    const insert = old.prepare(
      `INSERT INTO trials (suite_id, approach, train_size, seed, status, epochs, best_epoch, protocol_json)
       VALUES (1, ?, 100, ?, 'done', ?, ?, ?)`,
    );
    // k-fold at 100 examples: the folds' mean curve chose epoch 12 of an 80-example fold; the final run on all 100
    // trained the same steps in 10 epochs
    insert.run('scratch', 0, 10, 12, JSON.stringify({ kind: 'kfold', folds: 5, chosenSteps: 300, examples: 100 }));
    insert.run('scratch', 1, 40, 31, JSON.stringify({ kind: 'holdout', trainExamples: 80, valExamples: 20 }));
    insert.run('scratch', 2, null, null, null);
    old.close();

    const db = openDb(path);
    const rows = db.prepare('SELECT seed, epochs, best_epoch FROM trials ORDER BY seed').all();
    expect(rows).toEqual([
      { seed: 0, epochs: 10, best_epoch: 10 },
      { seed: 1, epochs: 40, best_epoch: 31 },
      { seed: 2, epochs: null, best_epoch: null },
    ]);
    db.close();
  });
});
