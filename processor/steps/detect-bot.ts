/**
 * Pipeline step: drop bots by their user agent, with the reason and the bot's
 * name (bots/user-agent-verdict.ts: isbot's patterns without the real
 * browsers, apps and devices they catch by accident; every browser sends a
 * user agent). Bots that pose as browsers are found by what they do, over a
 * visitor's hits (bots/behaviour.ts, in batch/sessionize.ts).
 */
import type { Event } from '../event.ts';
import { drop, ok, type StepResult } from '../result.ts';
import { userAgentVerdict } from '../bots/user-agent-verdict.ts';

export type BotReason = 'empty_user_agent' | 'user_agent_pattern';

export function botVerdict(ev: Pick<Event, 'userAgent'>): { name: string; reason: BotReason } | undefined {
  const verdict = userAgentVerdict(ev.userAgent);
  return verdict.bot ? { name: verdict.name, reason: verdict.reason } : undefined;
}

export function detectBot(ev: Event): StepResult {
  const verdict = botVerdict(ev);
  if (!verdict) return ok(ev);
  ev.botName = verdict.name;
  return drop('bot', ev, verdict.reason);
}
