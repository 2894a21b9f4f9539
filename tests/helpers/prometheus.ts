/**
 * Scrapes a /metrics endpoint and parses it with a Prometheus text-format
 * parser of its own (parse-prometheus-text-format, a port of the Prometheus
 * Python client's parser), not with the library that wrote it.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface Family {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string; count?: string; sum?: string; buckets?: Record<string, string> }>;
}

export async function scrape(url: string, token?: string): Promise<Map<string, Family>> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  if (!/^text\/plain; version=0\.0\.4/.test(res.headers.get('content-type') ?? ''))
    throw new Error(`not the Prometheus text format: ${res.headers.get('content-type')}`);
  const families = parsePrometheusTextFormat(await res.text()) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

/** A sample's value (labels must match exactly the ones given, others ignored); 0 if absent. */
export function sample(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  const m = family?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return m ? Number(m.value ?? m.count) : 0;
}
