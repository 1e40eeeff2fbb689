import type { HTTP_API_PREFIX, HTTP_EVENTS_PATH } from '../../../../benchmarks/contract.js';

/*
 * The HTTP paths of the contract. Importing the values from benchmarks/contract.ts would bundle zod
 * (about 90 kB) into the renderer, so they are repeated here; their types are the contract's literal
 * types, so a change there fails the renderer's type check until this follows.
 */
export const API_PREFIX: typeof HTTP_API_PREFIX = '/api/';
export const EVENTS_PATH: typeof HTTP_EVENTS_PATH = '/api/events';
