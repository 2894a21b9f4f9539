/**
 * A parsed JSON value with `f` applied to every string in it, object keys
 * included (a beacon's props are keys and values from the page). JSON bodies
 * nest at most 32 levels (server/json-body.ts), so recursion is bounded.
 */
export function mapStrings<T>(value: T, f: (s: string) => string): T {
  if (typeof value === 'string') return f(value) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f)) as T;
  const out: Record<string, unknown> = {};
  // Defined, not assigned: a key "__proto__" (JSON.parse makes it an own property) stays a key.
  for (const [k, v] of Object.entries(value))
    Object.defineProperty(out, f(k), { value: mapStrings(v, f), enumerable: true, writable: true, configurable: true });
  return out as T;
}
