/**
 * Pipeline step: browser, OS and device class from the User-Agent (ua-parser-js 1.x,
 * MIT). Parsing is the costliest step and real traffic repeats a few thousand
 * agents, so results are cached (bounded, oldest evicted first).
 */
import { UAParser } from 'ua-parser-js';
import type { Event } from '../event.ts';
import { ok, type StepResult } from '../result.ts';

interface UserAgentInfo { browser: string; browserVersion: string; os: string; osVersion: string; deviceType: string }

const CACHE_SIZE = 10_000;
const cache = new Map<string, UserAgentInfo>();

export function parseUserAgent(ua: string): UserAgentInfo {
  const hit = cache.get(ua);
  if (hit) return hit;
  const r = new UAParser(ua).getResult();
  const info: UserAgentInfo = {
    browser: r.browser.name ?? '',
    browserVersion: r.browser.major ?? '',
    os: r.os.name ?? '',
    osVersion: r.os.version ?? '',
    // ua-parser-js leaves device.type undefined for desktop browsers.
    deviceType: r.device.type ?? (ua ? 'desktop' : ''),
  };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(ua, info);
  return info;
}

export function classifyUserAgent(ev: Event): StepResult {
  Object.assign(ev, parseUserAgent(ev.userAgent));
  return ok(ev);
}
