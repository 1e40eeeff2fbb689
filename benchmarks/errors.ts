/**
 * A problem with what the user gave us (a suite file, a dataset, a model, an id, a flag).
 * The CLI prints its message as one line and exits non-zero; the app shows it as is.
 * Write messages that name the thing at fault and say what was expected.
 */
export class UserError extends Error {
  override name = 'UserError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
