/**
 * Pipeline step: browser, OS and device class from the User-Agent (ua-parser-js 1.x,
 * MIT), cached per agent.
 */
import { UAParser } from 'ua-parser-js';
import type { Event } from '../event.ts';
import { ok, type StepResult } from '../result.ts';
import { memoByString } from '../memo.ts';

interface UserAgentInfo {
  browser: string;
  browserVersion: string;
  os: string;
  osVersion: string;
  deviceType: string;
}

/** Parsed once per distinct agent (memo.ts). */
export const parseUserAgent = memoByString((ua: string): UserAgentInfo => {
  const r = new UAParser(ua).getResult();
  return {
    browser: r.browser.name ?? '',
    browserVersion: r.browser.major ?? '',
    os: r.os.name ?? '',
    osVersion: r.os.version ?? '',
    // ua-parser-js leaves device.type undefined for desktop browsers.
    deviceType: r.device.type ?? (ua ? 'desktop' : ''),
  };
});

export function classifyUserAgent(ev: Event): StepResult {
  Object.assign(ev, parseUserAgent(ev.userAgent));
  return ok(ev);
}
