/**
 * The user_agents table (migration 0017): each user agent's bot verdict and
 * browser, OS and device, worked out by today's functions — ua-parser-js
 * (steps/classify-user-agent.ts) and the user-agent verdict
 * (steps/detect-bot.ts) — once per agent the table does not know yet, so
 * enrich.sql joins them to every line in the engine.
 */
import { randomUUID } from 'node:crypto';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { command } from '../../clickhouse/query.ts';
import { parseUserAgent } from '../steps/classify-user-agent.ts';
import { botVerdict } from '../steps/detect-bot.ts';

export interface UserAgentRow {
  user_agent: string;
  is_bot: 0 | 1;
  bot_reason: string;
  bot_name: string;
  browser: string;
  browser_version: string;
  os: string;
  os_version: string;
  device_type: string;
}

export function classifyUserAgentRow(userAgent: string): UserAgentRow {
  const info = parseUserAgent(userAgent);
  const verdict = botVerdict({ userAgent });
  return {
    user_agent: userAgent,
    is_bot: verdict ? 1 : 0,
    bot_reason: verdict?.reason ?? '',
    bot_name: verdict?.name ?? '',
    browser: info.browser,
    browser_version: info.browserVersion,
    os: info.os,
    os_version: info.osVersion,
    device_type: info.deviceType,
  };
}

/**
 * Adds the agents a batch brought that the dictionary did not know, and reloads it (migration
 * 0018: it is never reloaded on a timer), so the batch's enrich query finds them. The token is new
 * each time: a second row of an agent is harmless (the dictionary takes any one), but an insert
 * dropped as a duplicate of one whose rows the TTL has since removed would leave its agents unknown.
 */
export async function addUserAgents(ch: ClickHouse, userAgents: readonly string[]): Promise<void> {
  await insertRows(ch, 'user_agents', userAgents.map(classifyUserAgentRow), `user-agents:${randomUUID()}`);
  await command(ch, 'queries/stage/enrich-reload-user-agents.sql');
}
