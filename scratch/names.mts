import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isbotMatch } from 'isbot';
import { botNameOf } from '../processor/bots/bot-name.ts';
const crawlers = Object.entries(parse(readFileSync('tests/fixtures/useragents/isbot-crawlers.yml', 'utf8')) as Record<string, string[]>);
let shown = 0;
for (const [group, list] of crawlers) for (const ua of list) { const n = botNameOf(ua); if (shown++ < 400) console.log(JSON.stringify(group).padEnd(40), '→', n); }
