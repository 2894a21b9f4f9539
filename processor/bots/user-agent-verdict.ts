/**
 * Whether a user agent is a bot's, and which: isbot's patterns (which recall
 * nearly every crawler), minus the real browsers, apps and devices they catch
 * by accident — in-app browsers, podcast and media players, smart TVs and
 * streaming sticks, feature phones, Internet Explorer with Chrome Frame, and
 * phones whose model name contains a bot-like word ("Google", "Discovery",
 * "bot_"). A user agent with a crawler's own marks (a bot/crawler/spider word,
 * a "+http" info URL, a scripting library) is never let off. Each exception
 * has a test (tests/unit/bots.test.ts).
 */
import { isbotMatch } from 'isbot';
import { botNameOf } from './bot-name.ts';
import { memoByString } from '../memo.ts';

export type UserAgentVerdict = { bot: false } | { bot: true; reason: 'empty_user_agent' | 'user_agent_pattern'; name: string };

// Marks only automated clients carry.
const CRAWLER_MARKS =
  /(?:bot|spider|scraper|slurp)\b|bot[/_-]|crawl|https?:\/\/|@|feed ?(?:parser|fetcher)|headless|lighthouse|python|\bcurl\/|wget|\bjava\/\d|go-http|okhttp|http-?client|libwww|scanner|(?<!developer)preview|monitor|lookup|devtools|qcloudcdn|googleweblight|firephp/i;

// Real people's software that isbot's broad patterns catch.
const PEOPLE = [
  // In-app browsers and apps.
  /\[FB(?:AN|_IAB)\/|\bFBAV\/|\bInstagram \d|\bLine\/\d|KAKAOTALK|Snapchat\/|MicroMessenger\/|Twitter for (?:iPhone|iPad|Android)|\bGSA\/\d|Pinterest for |musical_ly|BytedanceWebview|TikTok|ROBLOX (?:Android|iOS) App|LinkedInApp|\bYaApp|Zalo|Viber/,
  // Podcast and media players fetching an episode for a listener.
  /AppleCoreMedia\/|\batc\/\d|\bPodcasts\/\d|AntennaPod\/|PodcastAddict\/|Podcast Addict|CastBox|Castro \d|Overcast\/[\d.]+ \(\+http:\/\/overcast\.fm\/; iOS podcast app\)|Spotify\/\d+\.\d+\.\d+|Podbean\/|Podkicker|Player ?FM|Stitcher\/|iCatcher|gPodder|BeyondPod|Deezer\/|Audible,|iTunes\/|VLC\/|Winamp|Podverse|Fountain\/|PodcastRepublic|Podcast Guru/,
  // Smart TVs, set-top boxes, streaming sticks, consoles.
  /SMART-?TV|SmartTV|Tizen|Web0S|webOS|HbbTV|NetCast|BRAVIA|AppleTV|\bAFT[A-Z]{1,4}\b|\bRoku|CrKey|VIDAA|GoogleTV|Android TV|PlayStation|Nintendo|Xbox/,
  // Feature phones and their browsers.
  /MIDP-\d|CLDC-\d|UP\.Browser|Obigo|Opera Mini|KAIOS|Series ?40|SymbianOS|Maemo|Bada\/|Dolfin\//,
  // An iOS app's web view (the news and social apps that open links inside themselves), and Firefox's previews.
  /\(i(?:Phone|Pad|Pod)[^)]* like Mac OS X\) AppleWebKit\/[\d.]+ \(KHTML, like Gecko\) (?:Mobile\/\w+|AppleNews\/)|MozillaDeveloperPreview\//,
  // Internet Explorer with the Chrome Frame plug-in.
  /MSIE [\d.]+;.*chromeframe/,
];

// The device model of an Android user agent: "(Linux; [U;] Android 12; [xx-yy;] MODEL Build/…)" or "…; MODEL)".
const ANDROID_MODEL = /(\(Linux;(?: U;)? Android [^;)]*;(?: [a-z]{2}[-_][A-Za-z]{2};)?)( [^;)]*?)( Build\/|\))/;

function caughtByAccident(ua: string): boolean {
  if (PEOPLE.some((p) => p.test(ua)) && !CRAWLER_MARKS.test(ua.replace(/Overcast\/[\d.]+ \(\+http:\/\/overcast\.fm\//, ''))) return true;
  // A phone named like a bot: without its model name, the user agent is a browser's.
  const model = ANDROID_MODEL.exec(ua);
  // Real models carry a number ("Pixel 7", "SM-G991B"); a monitor's name in that place does not.
  return model !== null && /\d/.test(model[2]!) && !isbotMatch(ua.replace(ANDROID_MODEL, '$1$3')) && !CRAWLER_MARKS.test(model[2]!);
}

/** The verdict on a user agent, worked out once per distinct agent (memo.ts). */
export const userAgentVerdict = memoByString(judgeUserAgent);

function judgeUserAgent(logged: string): UserAgentVerdict {
  if (!logged.trim()) return { bot: true, reason: 'empty_user_agent', name: '' };
  // Some servers log spaces as "+" (IIS): read such a user agent with its spaces.
  const ua = !logged.includes(' ') && /\w\+\(/.test(logged) ? logged.replace(/\+/g, ' ') : logged;
  if (!isbotMatch(ua) || caughtByAccident(ua)) return { bot: false };
  return { bot: true, reason: 'user_agent_pattern', name: botNameOf(ua) };
}
