/**
 * Pipeline step: drop bots, with the reason and the bot's name. The user
 * agent's verdict (bots/user-agent-verdict.ts: isbot's patterns without the
 * real browsers, apps and devices they catch by accident; every browser sends
 * a user agent), and a request for /robots.txt, which only robots make.
 */
import type { Event } from '../event.ts';
import { drop, ok, type StepResult } from '../result.ts';
import { botNameOf } from '../bots/bot-name.ts';
import { userAgentVerdict } from '../bots/user-agent-verdict.ts';

export type BotReason = 'empty_user_agent' | 'user_agent_pattern' | 'robots_txt';

export function botVerdict(ev: Pick<Event, 'userAgent' | 'path'>): { name: string; reason: BotReason } | undefined {
  const verdict = userAgentVerdict(ev.userAgent);
  if (verdict.bot) return { name: verdict.name, reason: verdict.reason };
  if (ev.path === '/robots.txt') return { name: botNameOf(ev.userAgent), reason: 'robots_txt' };
  return undefined;
}

export function detectBot(ev: Event): StepResult {
  const verdict = botVerdict(ev);
  if (!verdict) return ok(ev);
  ev.botName = verdict.name;
  return drop('bot', ev, verdict.reason);
}
