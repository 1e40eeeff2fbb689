/**
 * How the user called the program, so the commands we print for them to run next can be pasted as they are:
 * `npx transfer-bench …` when npx ran it, `node bin/transfer-bench.js …` when node did, else `transfer-bench …`,
 * and with the `--db` they gave (an explicit database, not the default or TRANSFER_BENCH_DB, which the next command
 * picks up by itself).
 */
import { basename, isAbsolute, relative } from 'node:path';

export interface Invocation {
  /** What runs the program: "npx transfer-bench", "transfer-bench" or "node bin/transfer-bench.js". */
  program: string;
  /** The --db the user gave on the command line, or null. */
  db: string | null;
}

/** A word as a POSIX shell reads it: quoted only when it needs to be. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The --db value on a command line (`--db x` or `--db=x`; the last one wins, as commander reads it). */
function dbArgument(args: readonly string[]): string | null {
  let db: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg === '--db' && i + 1 < args.length) db = args[++i]!;
    else if (arg.startsWith('--db=')) db = arg.slice('--db='.length);
  }
  return db;
}

export function detectInvocation(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Invocation {
  const script = argv[1] ?? '';
  let program = 'transfer-bench';
  if (env.npm_lifecycle_event === 'npx' || env.npm_command === 'exec') program = 'npx transfer-bench';
  else if (script.endsWith('.js') && basename(script) === 'transfer-bench.js') {
    const shown = relative(cwd, script);
    program = `node ${shellWord(shown.startsWith('..') || isAbsolute(shown) ? script : shown)}`;
  }
  return { program, db: dbArgument(argv.slice(2)) };
}

/** Commands that read the database, so a hint for them carries the user's --db. */
const DB_COMMANDS = new Set(['run', 'resume', 'list', 'export', 'report', 'compare', 'migrate', 'serve']);

/** `transfer-bench <rest>` as the user would type it: their program, and their --db when the command reads one. */
export function commandLine(invocation: Invocation, rest: string): string {
  const command = rest.split(' ')[0] ?? '';
  const withDb =
    invocation.db !== null && DB_COMMANDS.has(command) && !/(^| )--db[ =]/.test(rest)
      ? ` --db ${shellWord(invocation.db)}`
      : '';
  return `${invocation.program} ${rest}${withDb}`;
}

/**
 * A message from any layer with the commands it suggests (written `transfer-bench <command> …` in backquotes)
 * rewritten as the user would type them.
 */
export function adaptHints(message: string, invocation: Invocation): string {
  return message.replace(/`transfer-bench ([^`]+)`/g, (_whole, rest: string) => `\`${commandLine(invocation, rest)}\``);
}
