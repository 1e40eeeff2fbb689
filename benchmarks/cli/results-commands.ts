/** What `list`, `migrate`, `export`, `report` and `compare` do once their options are read (main.ts registers them). */
import { basename, dirname, extname, resolve } from 'node:path';
import { MAX_COMPARED, MIN_COMPARED } from '../domain.js';
import { UserError } from '../errors.js';
import { writeFiles } from '../service/write-files.js';
import type { EngineService } from '../service/engine-service.js';
import { displayLocation, openStore } from '../store/open-store.js';
import { SCHEMA_VERSION, describePlan } from '../store/schema-version.js';
import { printComparison, printSuiteList } from './tables.js';
import { withService } from './with-service.js';

export async function listAction(options: { db: string }): Promise<void> {
  await withService(options.db, async (service) => printSuiteList(await service.listSuites({})), {
    readonly: true,
  });
}

export async function migrateAction(options: { db: string }): Promise<void> {
  const where = displayLocation(options.db);
  const store = await openStore(options.db, {
    onMigrate: (plan) => describePlan(where, plan).forEach((line) => console.log(line)),
  });
  await store.close();
  console.log(`database ${store.location} is up to date (schema version ${SCHEMA_VERSION})`);
}

export async function exportAction(suite: string, options: { out: string; db: string }): Promise<void> {
  await withService(
    options.db,
    async (service) => {
      const suiteId = await resolveSuiteId(service, suite);
      const { files } = await service.exportCsv({ suiteId });
      const paths = writeFiles(options.out, files);
      console.error(await describeSuite(service, suiteId, suite, 'exported'));
      for (const path of paths) console.log(path);
    },
    { readonly: true },
  );
}

export async function reportAction(
  suite: string,
  options: { out: string; tolerance: number; db: string },
): Promise<void> {
  const format = reportFormatOf(options.out, '--out');
  await withService(
    options.db,
    async (service) => {
      const suiteId = await resolveSuiteId(service, suite);
      const report = await service.getReport({ suiteId, format, tolerance: options.tolerance / 100 });
      const [path] = writeFiles(dirname(resolve(options.out)), [
        { name: basename(options.out), content: report.content },
      ]);
      console.error(await describeSuite(service, suiteId, suite, 'reported on'));
      console.log(path);
    },
    { readonly: true },
  );
}

export async function compareAction(
  ids: string[],
  options: { out: string; report?: string; tolerance: number; db: string },
): Promise<void> {
  const reportFormat = options.report === undefined ? null : reportFormatOf(options.report, '--report');
  const bad = ids.find((id) => !/^\d+$/.test(id) || Number(id) === 0);
  if (bad !== undefined) throw new UserError(`"${bad}" is not a suite id: give the ids \`transfer-bench list\` shows`);
  const request = { suiteIds: ids.map(Number), tolerance: options.tolerance / 100 };
  if (request.suiteIds.length < MIN_COMPARED || request.suiteIds.length > MAX_COMPARED) {
    throw new UserError(`give ${MIN_COMPARED} to ${MAX_COMPARED} suite ids to compare, not ${ids.length}`);
  }
  await withService(
    options.db,
    async (service) => {
      const comparison = await service.compareSuites(request);
      const { files } = await service.exportComparisonCsv(request);
      printComparison(comparison);
      for (const path of writeFiles(options.out, files)) console.log(path);
      if (options.report !== undefined && reportFormat !== null) {
        const { compareReport } = await import('../report/compare-report.js'); // ECharts only when needed
        const { content } = compareReport(comparison, reportFormat);
        const [path] = writeFiles(dirname(resolve(options.report)), [{ name: basename(options.report), content }]);
        console.log(path);
      }
    },
    { readonly: true },
  );
}

/** A report's format from its file name: .html (or .htm) or .md; anything else is refused naming the option. */
function reportFormatOf(file: string, option: string): 'html' | 'md' {
  const extension = extname(file).toLowerCase();
  if (!['.md', '.html', '.htm'].includes(extension)) {
    throw new UserError(`${option} ${file}: give a file ending in .html or .md`);
  }
  return extension === '.md' ? 'md' : 'html';
}

/** Which suite a command wrote, for `export latest` and the like: "exported suite 3 (quick, the latest; done, 12/12 trials, …)". */
async function describeSuite(service: EngineService, suiteId: number, asked: string, verb: string): Promise<string> {
  const { suite } = await service.getSuite({ suiteId });
  const which = asked === 'latest' ? ', the latest' : '';
  return `${verb} suite ${suite.id} (${suite.name}${which}; ${suite.status}, ${suite.trialsFinished}/${suite.trialsTotal} trials, started ${suite.createdAt.replace('T', ' ').slice(0, 16)})`;
}

async function resolveSuiteId(service: EngineService, idOrLatest: string): Promise<number> {
  const suites = await service.listSuites({});
  if (idOrLatest === 'latest') {
    const latest = suites[0];
    if (!latest) throw new UserError('there are no suites in this database yet: run one with `transfer-bench run`');
    return latest.id;
  }
  if (!/^\d+$/.test(idOrLatest)) throw new UserError(`"${idOrLatest}" is not a suite id: give a number or "latest"`);
  const id = Number(idOrLatest);
  if (!suites.some((s) => s.id === id)) {
    throw new UserError(`no suite with id ${id} in this database (see \`transfer-bench list\`)`);
  }
  return id;
}
