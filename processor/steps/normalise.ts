/**
 * Pipeline step: normalise: host and referrer host lowercased without "www.", UTM
 * parameters lifted out of the query, and the page/asset decision for log
 * requests (a beacon pageview is a pageview by definition).
 */
import type { Event } from '../event.ts';
import { ok, type StepResult } from '../result.ts';
import { cleanText, cutText } from '../../common/clean-text.ts';

// Requests for these are page resources, not pages a person looked at.
const ASSET =
  /\.(?:css|js|mjs|map|json|xml|txt|ico|png|jpe?g|gif|svg|webp|avif|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav|pdf|zip|gz|tgz|bz2|xz|rar|7z|exe|dmg|iso|csv|rss|atom|wasm)$/i;

/** Host (lowercase, without "www.") and path of a URL; empty for what is not one. */
export function hostAndPathOf(url: string): { host: string; path: string } {
  try {
    const u = new URL(url);
    return { host: u.hostname.toLowerCase().replace(/^www\./, ''), path: u.pathname };
  } catch {
    return { host: '', path: '' };
  }
}

export function isPageRequest(ev: Pick<Event, 'method' | 'path' | 'status'>): boolean {
  // A page was shown: a successful GET (or 304, the browser showing its cached copy), not a redirect or an asset.
  const shown = (ev.status >= 200 && ev.status < 300 && ev.status !== 204) || ev.status === 304;
  return ev.method === 'GET' && shown && ev.path.startsWith('/') && !ASSET.test(ev.path);
}

/** The five UTM values of a query, decoded and cleaned (also processor/stage/utm-values.ts, once per distinct query). */
export function readUtm(query: string): Event['utm'] {
  const utm = { source: '', medium: '', campaign: '', content: '', term: '' };
  if (!query.includes('utm_')) return utm;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return utm;
  }
  // URLSearchParams percent-decodes (WHATWG URL): %00 is a NUL, and bytes that are not UTF-8 already U+FFFD.
  for (const key of Object.keys(utm) as (keyof typeof utm)[]) utm[key] = cleanUtmValue(params.get(`utm_${key}`) ?? '');
  return utm;
}

/** A UTM value as kept, from its decoded text. */
const cleanUtmValue = (decoded: string): string => cleanText(cutText(decoded, 200).toLowerCase());

export function normalise(ev: Event): StepResult {
  ev.host = ev.host.replace(/^www\./, '').replace(/:\d+$/, '');
  const referrer = ev.referrer ? hostAndPathOf(ev.referrer) : { host: '', path: '' };
  ev.referrerHost = referrer.host;
  ev.referrerPath = referrer.path;
  ev.utm = readUtm(ev.query);
  if (ev.source === 'log') {
    ev.isPageview = isPageRequest(ev);
    ev.eventType = 'request';
  }
  return ok(ev);
}
