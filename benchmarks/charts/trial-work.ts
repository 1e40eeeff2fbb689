/** How much work a trial's budget is, for the app's ETA (the CLI's progress uses the same: spec/trial-work.ts). */
export { expectedWork } from '../spec/trial-work.js';
