/**
 * Beacon payloads from snippet/ (or any client of POST /api/event):
 *   { "type": "pageview" | "event" | "engagement", "url": "https://…", "referrer": "…",
 *     "name": "signup", "props": { "plan": "pro" }, "w": 1280, "engaged_ms": 5300, "hash": true }
 * `hash: true` (the site opted in with data-hash) makes a hash route such as
 * /#/settings a page of its own; otherwise the part after # is not the page.
 * The event time is when the collector received it: browsers' clocks are not trusted.
 */
import { emptyEvent, type Event } from '../event.ts';
import { deadLetter, ok, type StepResult } from '../result.ts';
import type { BeaconHit } from '../../common/hit.ts';
import { clampInt } from './numbers.ts';
import { cutText } from '../../common/clean-text.ts';

const TYPES = new Set(['pageview', 'event', 'engagement']);
/** A number the browser sent, as a non-negative integer; anything else is 0. */
const count = (v: unknown, max: number): number => clampInt(typeof v === 'number' ? v : 0, max);

export function parseBeacon(hit: BeaconHit): StepResult {
  const p = hit.payload;
  const type = p.type === undefined ? 'pageview' : p.type;
  if (typeof type !== 'string' || !TYPES.has(type)) return deadLetter('invalid_beacon', `unknown beacon type ${JSON.stringify(type)}`);
  let url: URL;
  try {
    url = new URL(String(p.url));
  } catch {
    return deadLetter('invalid_beacon', 'beacon url is missing or not an absolute URL');
  }
  const ev: Event = emptyEvent(hit.site, hit.receivedAt, 'beacon');
  ev.eventType = type as Event['eventType'];
  ev.isPageview = type === 'pageview';
  ev.eventName = type === 'event' ? cutText(String(p.name ?? ''), 200) : '';
  if (type === 'event' && !ev.eventName) return deadLetter('invalid_beacon', 'custom event without a name');
  ev.host = url.hostname.toLowerCase();
  ev.method = 'GET';
  ev.path = p.hash === true && url.hash.startsWith('#/') ? cutText(`${url.pathname}${url.hash}`, 2048) : url.pathname;
  ev.query = url.search.slice(1);
  ev.referrer = typeof p.referrer === 'string' ? cutText(p.referrer, 2048) : '';
  ev.client = hit.client;
  ev.userAgent = typeof hit.headers.userAgent === 'string' ? hit.headers.userAgent : '';
  ev.language =
    (typeof hit.headers.acceptLanguage === 'string' ? hit.headers.acceptLanguage : '').split(/[,;]/)[0]?.trim().slice(0, 16) ?? '';
  ev.screenWidth = count(p.w, 65_535);
  ev.engagedMs = count(p.engaged_ms, 86_400_000);
  if (p.props && typeof p.props === 'object') {
    for (const [k, v] of Object.entries(p.props as Record<string, unknown>).slice(0, 30)) {
      if (['string', 'number', 'boolean'].includes(typeof v)) ev.props[cutText(k, 100)] = cutText(String(v), 500);
    }
  }
  return ok(ev);
}
