/**
 * How the app and the charts name an approach from one of several sources (spec/sources.ts), for the renderer, which
 * reaches the engine only through charts/, domain and contract.
 */
export { armLabel, sameArm, sourceNames, suiteArms, type Arm } from '../spec/sources.js';
