import { isbot } from 'isbot';
import { userAgentVerdict } from '../processor/bots/user-agent-verdict.ts';
import { readCombinedLog } from '../tests/helpers/read-log.ts';
for (const f of ['secrepo-2021.log', 'secrepo-2018-12-15.log', 'hackers-access.log']) {
  const lines = readCombinedLog(`tests/fixtures/logs/${f}`);
  const changed = lines.filter((l) => l.ua.trim() && isbot(l.ua) && !userAgentVerdict(l.ua).bot);
  console.log(f, changed.length); for (const l of changed.slice(0, 10)) console.log('   ', l.ua);
}
