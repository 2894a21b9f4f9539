/**
 * Pipeline step: the acquisition channel, from UTM tags first (they are the site
 * owner's own labels), then the referrer's host: one of the site's own hosts
 * makes the hit internal.
 */
import type { Event } from '../event.ts';
import { ok, type StepResult } from '../result.ts';

const SEARCH =
  /(^|\.)(google\.[a-z.]+|bing\.com|duckduckgo\.com|search\.yahoo\.com|yahoo\.[a-z.]+|yandex\.[a-z.]+|baidu\.com|ecosia\.org|search\.brave\.com|qwant\.com|seznam\.cz|naver\.com|sogou\.com|startpage\.com|ask\.com|kagi\.com)$/;
const SOCIAL =
  /(^|\.)(facebook\.com|fb\.com|t\.co|twitter\.com|x\.com|linkedin\.com|lnkd\.in|reddit\.com|instagram\.com|pinterest\.[a-z.]+|youtube\.com|tiktok\.com|news\.ycombinator\.com|bsky\.app|threads\.net|vk\.com|mastodon\.social|weibo\.com|quora\.com)$/;
const EMAIL = /(^|\.)(mail\.google\.com|outlook\.live\.com|mail\.yahoo\.com|mail\.proton\.me)$/;
const PAID_MEDIUM = /^(cpc|ppc|paid|paidsearch|paid_search|paid_social|display|cpm|banner)$/;

/** A host of the site itself, or a subdomain of one. */
const isOwnHost = (host: string, own: readonly string[]): boolean => {
  for (const h of own) if (h && (host === h || host.endsWith(`.${h}`))) return true;
  return false;
};

export function channelOf(referrerHost: string, siteHosts: readonly string[], utm: Event['utm']): string {
  if (PAID_MEDIUM.test(utm.medium)) return 'paid';
  if (utm.medium === 'email' || utm.medium === 'newsletter') return 'email';
  if (utm.medium === 'social') return 'social';
  if (utm.source || utm.campaign) return 'campaign';
  if (!referrerHost) return 'direct';
  if (isOwnHost(referrerHost, siteHosts)) return 'internal';
  return hostChannelOf(referrerHost);
}

/** The channel a referrer's host gives on its own, when it is not the site's (also processor/stage/referrers.ts). */
export function hostChannelOf(referrerHost: string): string {
  if (EMAIL.test(referrerHost)) return 'email'; // before search: mail.google.com is not a search
  if (SEARCH.test(referrerHost)) return 'search';
  if (SOCIAL.test(referrerHost)) return 'social';
  return 'referral';
}

/** `siteHosts`: the host names the site is known under (processor/state/host-store.ts); the hit's own host counts too. */
export function classifyReferrer(ev: Event, siteHosts: ReadonlySet<string>): StepResult {
  ev.channel = channelOf(ev.referrerHost, [ev.host, ev.site.replace(/^www\./, ''), ...siteHosts], ev.utm);
  return ok(ev);
}
