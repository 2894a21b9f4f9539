/**
 * Pipeline step: drop bots, with the reason. isbot recognises crawler user agents by
 * pattern; an absent user agent is not a browser either (every browser sends
 * one); and a request for /robots.txt is made only by robots.
 */
import { isbotMatch } from 'isbot';
import type { Event } from '../event.ts';
import { drop, ok, type StepResult } from '../result.ts';

export function botVerdict(ev: Pick<Event, 'userAgent' | 'path'>): { name: string; reason: string } | undefined {
  if (!ev.userAgent.trim()) return { name: '', reason: 'empty_user_agent' };
  const match = isbotMatch(ev.userAgent);
  if (match) return { name: match.slice(0, 64), reason: 'user_agent_pattern' };
  if (ev.path === '/robots.txt') return { name: '', reason: 'robots_txt' };
  return undefined;
}

export function detectBot(ev: Event): StepResult {
  const verdict = botVerdict(ev);
  if (!verdict) return ok(ev);
  ev.botName = verdict.name;
  return drop('bot', ev, verdict.reason);
}
