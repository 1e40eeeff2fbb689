/**
 * A problem with what the user gave us (a suite file, a dataset, a model, an id, a flag).
 * The CLI prints its message as one line and exits non-zero; the app shows it as is.
 * Write messages that name the thing at fault and say what was expected.
 */
export class UserError extends Error {
  override name = 'UserError';
}

/** A request refused because the machine is busy with others like it: try again later (`serve` answers 503). */
export class BusyError extends UserError {
  override name = 'BusyError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What is wrong with a JSON text, without quoting it. V8's messages quote the text ("Unexpected token 'r',
 * "root:x:0:0"... is not valid JSON"); errors about files can reach a browser, so only the kind of mistake and where
 * it is are kept.
 */
export function describeJsonSyntaxError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  if (text.trim() === '') return 'the file is empty';
  if (/Unexpected end of JSON input/.test(message)) return 'the text ends before the JSON does';
  const position = /at position (\d+)/.exec(message);
  const where = position ? ` at ${lineAndColumn(text, Number(position[1]))}` : '';
  // "Expected ',' or '}' after property value in JSON at position 8": the expectation names JSON syntax, not content.
  const expected =
    /^(Expected [^"]*?|Bad control character in string literal|Bad escaped character|Unterminated string)(?: in JSON|$)/.exec(
      message,
    );
  if (expected) return `${expected[1]!.replace(/^Expected/, 'expected')}${where}`;
  const first = text.trimStart()[0];
  return first === '{' || first === '[' ? `unexpected character${where}` : 'it does not start with "{" or "["';
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}
