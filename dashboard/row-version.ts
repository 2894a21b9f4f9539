/**
 * Versions of the dashboard's own rows (dashboard_definitions, share_links:
 * ReplacingMergeTree(version, is_deleted) keeps the highest). Microseconds of
 * the clock, and never the same twice in this process: an edit made in the
 * same millisecond as the row it replaces (a link revoked right after it was
 * made) must still win.
 */
let last = 0;

export function nextVersion(now = Date.now()): number {
  last = Math.max(now * 1000, last + 1);
  return last;
}
