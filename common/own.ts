/**
 * A table's own entry for a key that came from outside (a site name, a
 * syslog tag, a query parameter), never one it inherits: `table["constructor"]`
 * is Object's constructor, and a site of that name once made every batch
 * holding it throw.
 */
export const own = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;
