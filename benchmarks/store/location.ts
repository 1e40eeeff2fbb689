/**
 * A database location as the user gives it (`--db`): an SQLite path or a PostgreSQL URL, and how it is shown. No
 * driver is loaded here, so the CLI can name its default database in `--help` without opening anything.
 */

/** postgres:// or postgresql:// (the forms libpq and node-postgres accept). */
export const isPostgresUrl = (location: string): boolean => /^postgres(?:ql)?:\/\//i.test(location);

/** The URL without its password, for messages and `Store.location`. */
export function redactUrl(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = '';
    return url.toString();
  } catch {
    return location.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1@');
  }
}

/** The location as it may be shown: a PostgreSQL URL without its password, a path as it is. */
export const displayLocation = redactUrl;
