export { renderReport, buildReport, type ReportFormat } from './render-report.js';
export { dataEfficiencyChart, convergenceChart } from './charts.js';
