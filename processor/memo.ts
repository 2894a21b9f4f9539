/**
 * A bounded cache for pure functions of a string (a user agent): real traffic
 * repeats a few thousand agents, and parsing one or running isbot's pattern
 * is the costliest work per hit. Oldest entries are evicted first.
 */
export function memoByString<T>(fn: (key: string) => T, size = 10_000): (key: string) => T {
  const cache = new Map<string, T>();
  return (key: string): T => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = fn(key);
    if (cache.size >= size) cache.delete(cache.keys().next().value!);
    cache.set(key, value);
    return value;
  };
}
