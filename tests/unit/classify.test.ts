/** Bot verdicts on isbot's own labelled fixtures, user-agent classes, referrer channels. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { botVerdict } from '../../processor/steps/detect-bot.ts';
import { parseUserAgent } from '../../processor/steps/classify-user-agent.ts';
import { channelOf } from '../../processor/steps/classify-referrer.ts';
import { isPageRequest } from '../../processor/steps/normalise.ts';
import { fixture } from '../helpers/fixtures.ts';

const agents = (file: string): string[] =>
  Object.values(parse(readFileSync(fixture(`useragents/${file}`), 'utf8')) as Record<string, string[]>).flat();
const noUtm = { source: '', medium: '', campaign: '', content: '', term: '' };

describe('detect-bot', () => {
  it('calls every crawler in isbot-crawlers.yml a bot, with a reason', () => {
    const crawlers = agents('isbot-crawlers.yml');
    expect(crawlers.length).toBe(626);
    const missed = crawlers.filter((ua) => !botVerdict({ userAgent: ua }));
    expect(missed).toEqual([]);
  });

  it('lets every browser in isbot-browsers.yml through', () => {
    const browsers = agents('isbot-browsers.yml');
    expect(browsers.length).toBe(555);
    expect(browsers.filter((ua) => botVerdict({ userAgent: ua }))).toEqual([]);
  });

  it('treats a missing user agent as a robot, and leaves behaviour (robots.txt) to the visitor verdict', () => {
    expect(botVerdict({ userAgent: ' ' })).toEqual({ name: '', reason: 'empty_user_agent' });
    expect(botVerdict({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0' })).toBeUndefined();
    expect(botVerdict({ userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' })).toMatchObject({ reason: 'user_agent_pattern' });
  });
});

describe('classify-user-agent', () => {
  it.each([
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      { browser: 'Mobile Safari', os: 'iOS', deviceType: 'mobile', browserVersion: '17' },
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
      { browser: 'Chrome', os: 'Windows', deviceType: 'desktop' },
    ],
    [
      'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
      { os: 'Android', deviceType: 'tablet' },
    ],
    ['', { browser: '', os: '', deviceType: '' }],
  ])('%s', (ua, want) => {
    expect(parseUserAgent(ua)).toMatchObject(want);
    expect(parseUserAgent(ua)).toBe(parseUserAgent(ua)); // cached
  });
});

describe('classify-referrer', () => {
  it.each([
    ['', noUtm, 'direct'],
    ['example.com', noUtm, 'internal'],
    ['blog.example.com', noUtm, 'internal'],
    ['google.de', noUtm, 'search'],
    ['duckduckgo.com', noUtm, 'search'],
    ['t.co', noUtm, 'social'],
    ['news.ycombinator.com', noUtm, 'social'],
    ['mail.google.com', noUtm, 'email'],
    ['somebody.net', noUtm, 'referral'],
    ['google.com', { ...noUtm, medium: 'cpc', source: 'google' }, 'paid'],
    ['', { ...noUtm, medium: 'email', source: 'newsletter' }, 'email'],
    ['', { ...noUtm, source: 'podcast' }, 'campaign'],
  ])('%s %j → %s', (host, utm, channel) => {
    expect(channelOf(host, ['example.com'], utm)).toBe(channel);
  });
});

describe('normalise: what counts as a pageview in a log', () => {
  it.each([
    [{ method: 'GET', path: '/about', status: 200 }, true],
    [{ method: 'GET', path: '/about', status: 304 }, true],
    [{ method: 'GET', path: '/page.html', status: 200 }, true],
    [{ method: 'GET', path: '/app.js', status: 200 }, false],
    [{ method: 'GET', path: '/logo.PNG', status: 200 }, false],
    [{ method: 'GET', path: '/old', status: 301 }, false],
    [{ method: 'GET', path: '/missing', status: 404 }, false],
    [{ method: 'POST', path: '/form', status: 200 }, false],
    [{ method: '', path: '', status: 400 }, false],
  ])('%j → %s', (req, want) => {
    expect(isPageRequest(req)).toBe(want);
  });
});
