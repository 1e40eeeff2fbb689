/** Fetching and checking the models a suite brings, before a run (for the CLI, which shows the download). */
import { prepareSuiteModels, type PrepareOptions, type PreparedModel } from '../models/model-source.js';
import type { LoadedSuite } from '../spec/load-suite.js';

export type { DownloadReport } from '../models/model-source.js';

export async function prepareBroughtModels(suite: LoadedSuite, options: PrepareOptions): Promise<PreparedModel[]> {
  return (await prepareSuiteModels(suite.spec, suite.baseDir, options)).prepared;
}
