import { readFile } from 'node:fs/promises';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadTask, type TaskData } from '../datasets/load-dataset.js';
import { decodeTask, type TaskArrays } from '../datasets/task-file.js';
import { loadModel } from '../models/model-io.js';
import type { DatasetSource } from '../spec/suite-schema.js';

/** A worker runs many trials of one suite: load each dataset and base model once and keep them. */
const tasks = new Map<string, Promise<TaskData>>();
const models = new Map<string, Promise<LayersModel>>();
const taskFiles = new Map<string, Promise<TaskArrays>>();

export function cachedTask(source: DatasetSource, testPerClass: number, baseDir: string): Promise<TaskData> {
  const key = JSON.stringify([source, testPerClass, baseDir]);
  let task = tasks.get(key);
  if (!task) {
    task = loadTask(source, testPerClass, { baseDir });
    tasks.set(key, task);
    task.catch(() => tasks.delete(key));
  }
  return task;
}

export function cachedModel(path: string): Promise<LayersModel> {
  const cached = models.get(path);
  if (cached) return cached;
  const model = loadModel(path);
  models.set(path, model);
  model.catch(() => models.delete(path));
  return model;
}

/** A task read from a task file (a suite run on workers, datasets/task-file.ts), once per process. */
export function cachedTaskFile(path: string): Promise<TaskArrays> {
  let task = taskFiles.get(path);
  if (!task) {
    task = readFile(path).then(decodeTask);
    taskFiles.set(path, task);
    task.catch(() => taskFiles.delete(path));
  }
  return task;
}
