import { z } from 'zod';
import {
  REQUEST_NAMES,
  requestSchemas,
  type ContractHandlers,
  type RequestName,
  type ResponseOf,
  type ValidRequestOf,
} from '../contract.js';
import type { EngineEventListener } from '../domain.js';
import { BusyError, UserError, errorMessage } from '../errors.js';

/**
 * The one path every request from outside the engine's process takes, whichever transport brought it
 * (HTTP for `serve`, IPC for Electron): name check, schema validation, handler, error classification.
 */

/** What a binding (HTTP for `serve`, IPC for Electron) serves: the contract's handlers plus the run event stream (the engine service is one). */
export interface ServedService extends ContractHandlers {
  subscribe(listener: EngineEventListener): () => void;
}

export type DispatchFailureKind = 'unknown-request' | 'invalid-request' | 'user-error' | 'busy' | 'internal-error';

export type DispatchResult =
  { ok: true; value: ResponseOf<RequestName> } | { ok: false; kind: DispatchFailureKind; message: string };

export type ErrorLogger = (name: string, error: unknown) => void;

const defaultLogger: ErrorLogger = (name, error) => {
  console.error(`transfer-bench: request ${name} failed:`, error);
};

export function isRequestName(name: string): name is RequestName {
  return Object.hasOwn(requestSchemas, name);
}

/** Validates `input` against the request's schema; throws a ZodError when it does not fit. */
export function parseRequest<K extends RequestName>(name: K, input: unknown): ValidRequestOf<K> {
  // requestSchemas[name] is the schema of K; TypeScript cannot correlate the indexed access with K by itself.
  const schema = requestSchemas[name] as unknown as z.ZodType<ValidRequestOf<K>>;
  return schema.parse(input);
}

function callHandler<K extends RequestName>(
  handlers: ContractHandlers,
  name: K,
  input: unknown,
): Promise<ResponseOf<K>> {
  const request = parseRequest(name, input);
  // Same correlation gap as above: handlers[name] takes ValidRequestOf<K>.
  const handler = handlers[name] as (request: ValidRequestOf<K>) => Promise<ResponseOf<K>>;
  return handler.call(handlers, request);
}

export function describeValidationError(name: string, error: z.ZodError): string {
  return `invalid ${name} request:\n${z.prettifyError(error)}`;
}

/** Never throws: every failure becomes a message meant for the user; internal errors are also logged. */
export async function dispatchRequest(
  handlers: ContractHandlers,
  name: string,
  input: unknown,
  logError: ErrorLogger = defaultLogger,
): Promise<DispatchResult> {
  if (!isRequestName(name)) {
    return {
      ok: false,
      kind: 'unknown-request',
      message: `unknown request "${name}"; known requests: ${REQUEST_NAMES.join(', ')}`,
    };
  }
  try {
    return { ok: true, value: await callHandler(handlers, name, input) };
  } catch (error) {
    if (error instanceof z.ZodError) {
      return { ok: false, kind: 'invalid-request', message: describeValidationError(name, error) };
    }
    if (error instanceof BusyError) return { ok: false, kind: 'busy', message: error.message };
    if (error instanceof UserError) return { ok: false, kind: 'user-error', message: error.message };
    logError(name, error);
    return { ok: false, kind: 'internal-error', message: `${name} failed: ${errorMessage(error)}` };
  }
}
