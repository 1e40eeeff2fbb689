import { describe, expect, it } from 'vitest';
import {
  draftErrorField,
  formFromSpec,
  parseNumberList,
  specFromForm,
  type SuiteForm,
} from '../../../../renderer/src/lib/builder/suite-form.js';
import { digitDraft, digitDraftWithSource } from './draft-fixture.js';

function edit(change: (form: SuiteForm) => void) {
  const draft = digitDraft();
  const form = formFromSpec(draft.spec);
  change(form);
  return specFromForm(draft.spec, form, draft);
}

describe('the suite builder form', () => {
  it('shows the drafted suite, approaches it left out switched off', () => {
    const form = formFromSpec(digitDraft().spec);
    expect(form).toMatchObject({ name: 'digits', sizes: '10, 20, 24', seeds: '0, 1, 2', crossValidateBelow: '10' });
    expect(form.approaches.scratch).toEqual({
      enabled: true,
      epochs: '40',
      minSteps: '300',
      learningRates: '0.001, 0.0003, 0.003',
    });
    expect(form.approaches.finetune.enabled).toBe(false);
  });

  it('gives back the drafted suite unchanged when nothing was edited', () => {
    const draft = digitDraft();
    expect(specFromForm(draft.spec, formFromSpec(draft.spec), draft)).toEqual({ spec: draft.spec, errors: {} });
  });

  it('applies edits: sizes, seeds, budgets, one learning rate or a grid', () => {
    const { spec, errors } = edit((f) => {
      f.sizes = '10 20';
      f.seeds = '0';
      f.crossValidateBelow = '0';
      f.approaches.scratch.epochs = '2';
      f.approaches.scratch.minSteps = '0';
      f.approaches.scratch.learningRates = '0.003';
    });
    expect(errors).toEqual({});
    expect(spec).toMatchObject({ sizes: [10, 20], seeds: [0], crossValidateBelow: 0 });
    expect(spec!.approaches.scratch).toMatchObject({ epochs: 2, minSteps: 0, learningRate: 0.003, patience: 5 });
    expect(
      edit((f) => (f.approaches.scratch.learningRates = '0.01, 0.1')).spec!.approaches.scratch!.learningRate,
    ).toEqual([0.01, 0.1]);
  });

  it('puts each problem next to its field, with no suite to save', () => {
    const cases: [(f: SuiteForm) => void, string, string][] = [
      [(f) => (f.sizes = '10, abc'), 'sizes', '"abc" is not a number: give training-set sizes separated by commas'],
      [(f) => (f.sizes = '20, 10'), 'sizes', 'sizes must be strictly increasing'],
      [
        (f) => (f.sizes = '10, 500'),
        'sizes',
        '500 is more than the 24 examples left for training after 3 per class are held out for testing: use sizes up to 24',
      ],
      [
        (f) => (f.sizes = '3, 10'),
        'sizes',
        // The k-fold rule is checked first: 3 examples cannot make 5 folds.
        'every size needs at least 5 examples (the cross-validation at tiny sizes uses 5 folds)',
      ],
      [
        (f) => ((f.sizes = '3, 10'), (f.crossValidateBelow = '0')),
        'sizes',
        '3 is too small for 2 classes: each size needs at least 4 (one training and one validation example per class)',
      ],
      [(f) => (f.seeds = '0, 0'), 'seeds', 'seeds must be unique'],
      [(f) => (f.seeds = ''), 'seeds', 'give at least one seed'],
      [(f) => (f.seeds = '1.5'), 'seeds', '1.5 is not a whole number'],
      [(f) => (f.name = 'my suite!'), 'name', 'letters, digits, ".", "_" and "-" only'],
      [(f) => (f.approaches.scratch.epochs = '0'), 'scratch.epochs', 'Too small: expected number to be >0'],
      [(f) => (f.approaches.scratch.epochs = '2, 3'), 'scratch.epochs', 'give one number of epochs'],
      [(f) => (f.approaches.scratch.minSteps = '-1'), 'scratch.minSteps', 'Too small: expected number to be >=0'],
      [
        (f) => (f.approaches.scratch.learningRates = '0.1, 0.1'),
        'scratch.learningRate',
        'learning rates must be unique',
      ],
      [(f) => (f.approaches.scratch.enabled = false), 'approaches', 'at least one approach is required'],
      [
        (f) => (f.crossValidateBelow = 'x'),
        'crossValidateBelow',
        '"x" is not a number: give a number of validation examples per class',
      ],
      [(f) => (f.approaches.scratch.epochs = ''), 'scratch.epochs', 'give a number of epochs'],
    ];
    for (const [change, field, message] of cases) {
      const { spec, errors } = edit(change);
      expect(spec, field).toBeNull();
      expect(errors, field).toEqual({ [field]: message });
    }
  });

  it('reads lists separated by commas, spaces or semicolons', () => {
    expect(parseNumberList(' 1, 2;3  4 ', 'seed', 'integer')).toEqual({ values: [1, 2, 3, 4] });
    expect(parseNumberList('1e-3', 'learning rate', 'positive')).toEqual({ values: [0.001] });
  });
});

describe('the suite builder form with a source', () => {
  it('pretrains only while an approach that starts from the pretrained model is on', () => {
    const draft = digitDraftWithSource();
    const form = formFromSpec(draft.spec);
    expect(form.pretrainEpochs).toBe('5');
    expect(Object.values(form.approaches).every((a) => a.enabled)).toBe(true);
    form.pretrainEpochs = '3';
    form.approaches.partial.enabled = false;
    const some = specFromForm(draft.spec, form, draft);
    expect(some.errors).toEqual({});
    expect(Object.keys(some.spec!.approaches)).toEqual(['scratch', 'finetune', 'linear-probe']);
    expect(some.spec!.pretrain).toMatchObject({ epochs: 3, dataset: { dir: '/data/other-digits' } });
    // The file keeps init's order of fields: pretrain before the target.
    expect(Object.keys(some.spec!).indexOf('pretrain')).toBeLessThan(Object.keys(some.spec!).indexOf('target'));

    form.approaches.finetune.enabled = false;
    form.approaches['linear-probe'].enabled = false;
    const scratchOnly = specFromForm(draft.spec, form, draft);
    expect(scratchOnly.errors).toEqual({});
    expect(scratchOnly.spec!.pretrain).toBeUndefined();
    expect(Object.keys(scratchOnly.spec!.approaches)).toEqual(['scratch']);
  });

  it('puts a bad number of pretraining epochs next to its field', () => {
    const draft = digitDraftWithSource();
    const form = formFromSpec(draft.spec);
    form.pretrainEpochs = '0';
    expect(specFromForm(draft.spec, form, draft)).toEqual({
      spec: null,
      errors: { pretrainEpochs: 'Too small: expected number to be >0' },
    });
    form.pretrainEpochs = 'five';
    expect(specFromForm(draft.spec, form, draft).errors).toEqual({
      pretrainEpochs: '"five" is not a number: give a number of epochs',
    });
  });
});

describe('which path field an error of draftSuite concerns', () => {
  it('the source when the message names the source, else the target', () => {
    expect(draftErrorField('image folder /d/a has one class (x): …', '/d/a', '/d/b')).toBe('target');
    expect(draftErrorField('image folder /d/b has one class (x): …', '/d/a', '/d/b/')).toBe('source');
    expect(draftErrorField('the source /d/b is a table but the target /d/a is an image folder', '/d/a', '/d/b')).toBe(
      'source',
    );
    expect(draftErrorField('/d/b not found.', '/d/a', '/d/b')).toBe('source');
    // A source whose path begins the target's is not named by a message about the target.
    expect(draftErrorField('image folder /d/a/photos has one class', '/d/a/photos', '/d/a')).toBe('target');
    expect(draftErrorField('image folder /d/a-2 has one class', '/d/a-2', '/d/a')).toBe('target');
    expect(draftErrorField('/d/a does not exist', '/d/a', '')).toBe('target');
  });

  it('switches to an adaptive design with an optional budget in minutes, and back to the full grid', () => {
    const draft = digitDraftWithSource();
    const form = formFromSpec(draft.spec);
    expect(form).toMatchObject({ adaptive: false, budgetMinutes: '' });
    expect(specFromForm(draft.spec, form, draft).spec!.design).toBeUndefined();
    form.adaptive = true;
    expect(specFromForm(draft.spec, form, draft)).toMatchObject({ spec: { design: { kind: 'adaptive' } }, errors: {} });
    form.budgetMinutes = '2.5';
    const { spec } = specFromForm(draft.spec, form, draft);
    expect(spec!.design).toEqual({ kind: 'adaptive', budgetSeconds: 150 });
    expect(formFromSpec(spec!)).toMatchObject({ adaptive: true, budgetMinutes: '2.5' });
    form.budgetMinutes = 'soon';
    expect(specFromForm(draft.spec, form, draft)).toEqual({
      spec: null,
      errors: { design: '"soon" is not a number of minutes: give a budget above 0, or leave it empty for none' },
    });
    form.budgetMinutes = '';
    form.seeds = '0';
    expect(specFromForm(draft.spec, form, draft).errors.design).toMatch(/at least two seeds/);
    form.adaptive = false;
    expect(specFromForm(draft.spec, form, draft)).toMatchObject({ errors: {} });
    expect(specFromForm(draft.spec, form, draft).spec!.design).toBeUndefined();
  });
});
