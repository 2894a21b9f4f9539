/**
 * Page patterns of goals and funnel steps: a path with wildcards, as
 * Plausible writes them — `*` is any run of characters within one path
 * segment (`/blog/*` is every post, not `/blog/2024/post`), `**` any run
 * across segments (`/docs/**`). Everything else matches itself. Pure: a
 * pattern in, the RE2 regex ClickHouse's match() runs (bound as a
 * parameter, never spliced into SQL).
 */

/** Characters RE2 gives a meaning to, escaped to match themselves. */
const SPECIAL = /[\\^$.|?+()[\]{}]/g;

export function patternRegex(pattern: string): string {
  const parts = pattern.split(/(\*\*|\*)/).map((p) => (p === '**' ? '.*' : p === '*' ? '[^/]*' : p.replace(SPECIAL, '\\$&')));
  return `^${parts.join('')}$`;
}

/** Why `pattern` is not a page pattern, or undefined when it is one. */
export function patternProblem(pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return 'a page pattern starts with / (e.g. /pricing or /blog/*)';
  if (pattern.length > 500) return 'a page pattern is at most 500 characters';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a pattern with control characters is refused
  if (/[\s\u0000-\u001f\u007f]/.test(pattern)) return 'a page pattern has no spaces or control characters (write a space as %20)';
  if (/\*{3,}/.test(pattern)) return 'a page pattern uses * (within a segment) or ** (across segments), never more';
  return undefined;
}
