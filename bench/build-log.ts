/**
 * A big, realistic access log for the import benchmarks, built from the real
 * logs of the real-world test data (tests/helpers/test-data.ts): copies of them spread over a 30-day span (each
 * copy moved to its own start, its addresses changed so its visitors are its
 * own), merged in time order, written in the combined format with UTC times.
 * Two kinds: every line of those logs (most of them bots', as in the logs), or
 * only the lines `scalehouse explain` calls a person's (human-lines.ts), so
 * that most lines are people's.
 *
 *   tsx bench/build-log.ts OUT.log [LINES] [--human]     (LINES: 1,000,000 by default)
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { fixture } from '../tests/helpers/fixtures.ts';
import { explainHumanLines } from './human-lines.ts';
import { parseTimeLocal } from '../processor/parsers/combined-line.ts';

const FIXTURES = ['hackers-access.log', 'secrepo-2021.log', 'secrepo-2018-12-15.log'];
const DAY_MS = 86_400_000;
const SPAN_MS = 30 * DAY_MS;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Line {
  ts: number;
  before: string;
  after: string;
  ip: string;
}

const clfTime = (ms: number): string => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};

function splitLines(texts: string[]): Line[] {
  return texts
    .filter((l) => l.trim())
    .map((raw) => {
      const open = raw.indexOf('[');
      const close = raw.indexOf(']', open);
      return {
        ts: parseTimeLocal(raw.slice(open + 1, close)),
        ip: raw.slice(0, raw.indexOf(' ')),
        before: raw.slice(raw.indexOf(' '), open),
        after: raw.slice(close + 1),
      };
    });
}

/** Copy `k`'s address: the same visitor within a copy, another one in each copy. */
function moveAddress(ip: string, k: number): string {
  const parts = ip.split('.');
  if (parts.length !== 4) return ip;
  const b = (Number(parts[1]) + k) % 256;
  const c = (Number(parts[2]) + Math.floor(k / 256)) % 256;
  return `${parts[0]}.${b}.${c}.${parts[3]}`;
}

const allLines = (name: string): Line[] => splitLines(readFileSync(fixture(`logs/${name}`), 'utf8').split('\n'));
const humanLines = (name: string): Line[] => splitLines(explainHumanLines(fixture(`logs/${name}`)).map((l) => l.text));

/** Every line of the real logs, copied and spread: most lines are bots'. Returns the lines written. */
export const buildLog = (out: string, lines = 1_000_000, end = Date.UTC(2026, 10, 30)): Promise<number> =>
  writeCopies(FIXTURES.map(allLines), out, lines, end);

/** Only the lines of the real logs that stay human by user agent and by behaviour, copied and spread the same way. */
export const buildHumanLog = (out: string, lines = 1_000_000, end = Date.UTC(2026, 10, 30)): Promise<number> =>
  writeCopies(FIXTURES.map(humanLines), out, lines, end);

async function writeCopies(sources: Line[][], out: string, lines: number, end: number): Promise<number> {
  const perRound = sources.reduce((n, s) => n + s.length, 0);
  const copies = Math.ceil(lines / perRound);
  const all: Line[] = [];
  for (let k = 0; k < copies; k++) {
    for (const src of sources) {
      const first = src[0]!.ts;
      // Copies start evenly over the span, so every day has traffic of several copies.
      const shift = end - SPAN_MS + Math.floor((k / copies) * (SPAN_MS - 7 * DAY_MS)) - first;
      for (const l of src) all.push({ ...l, ts: l.ts + shift, ip: moveAddress(l.ip, k) });
    }
  }
  all.sort((a, b) => a.ts - b.ts);
  const stream = createWriteStream(out);
  let n = 0;
  for (const l of all.slice(0, lines)) {
    if (!stream.write(`${l.ip}${l.before}[${clfTime(l.ts)}]${l.after}\n`)) await once(stream, 'drain');
    n++;
  }
  stream.end();
  await once(stream, 'finish');
  return n;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const [out, lines] = args.filter((a) => a !== '--human');
  if (!out) throw new Error('usage: tsx bench/build-log.ts OUT.log [LINES] [--human]');
  const n = await (args.includes('--human') ? buildHumanLog : buildLog)(out, lines ? Number(lines) : undefined);
  process.stderr.write(`${out}: ${n.toLocaleString()} lines\n`);
}
