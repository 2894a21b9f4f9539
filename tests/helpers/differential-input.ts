/**
 * What the differential test of the batch programs (tests/integration/engine-program.test.ts)
 * feeds both: every line of every fixture log, once as the collector puts it on a bus
 * (common/hit.ts's logHit, addresses made pseudonyms, collector/routes/logs.ts) together with
 * beacons that twin its pageviews (the same visitor and page a few seconds later, as
 * processor/batch/twins.ts pairs them), and once as `scalehouse replay` hands it to the handler
 * (the line itself with its Hit, addresses as written: processor/replay/replay-file.ts). A few
 * records no step can use ride along, so dead letters are compared too. One stream per log
 * and form, as Kafka partitions carry them.
 */
import type { BusRecord } from '../../bus/bus.ts';
import type { CountryOf } from '../../common/country.ts';
import { beaconHit, encodeHit, logHit, type Hit } from '../../common/hit.ts';
import { pseudonymiser } from '../../common/pseudonym.ts';
import { userAgentVerdict } from '../../processor/bots/user-agent-verdict.ts';
import { LOG_SITES } from './enrich-inputs.ts';
import { CHROME, FUZZ_SITE, hostileGenerator } from './hostile-input.ts';
import { fixture, LOG_FILES } from './fixtures.ts';
import { TEST_SALT } from './hits.ts';
import { isPageview, readCombinedLog, type LogLine } from './read-log.ts';
import { seeded } from './seeded-random.ts';

/** One hit of a stream: `ts` its event time (what shuffling within the reorder window goes by), `n` its place as logged. */
export interface StreamItem {
  n: number;
  ts: number;
  hit: Hit;
  /** Handed over as `scalehouse replay` does (the line, its Hit beside it) rather than encoded as on a bus. */
  replay: boolean;
}

export interface InputStream {
  name: string;
  items: StreamItem[];
}

/** The record of `item` at `offset` of its stream, as the bus or replay gives it. */
export function recordOf(item: StreamItem, stream: string, offset: number): BusRecord {
  if (item.replay && item.hit.kind === 'log') return { value: item.hit.line, hit: item.hit, position: `${stream}:${offset}`, offset };
  return { value: encodeHit(item.hit), position: `${stream}@${offset}`, offset };
}

const LANGUAGES = ['en-US,en;q=0.9', 'de-DE,de', 'fr-CA', ''];

/** Beacons of a visitor who runs the script: about half of the human pageviews reported again, some with engagement or an event. */
function beaconsOf(site: string, lines: LogLine[], seed: number): { ts: number; hit: Hit }[] {
  const random = seeded(seed);
  const out: { ts: number; hit: Hit }[] = [];
  for (const l of lines) {
    if (!isPageview(l) || userAgentVerdict(l.ua).bot || random() >= 0.5) continue;
    const headers = { userAgent: l.ua, acceptLanguage: LANGUAGES[l.n % LANGUAGES.length]! };
    const at = (ts: number, payload: Record<string, unknown>) =>
      out.push({
        ts,
        hit: beaconHit(
          site,
          { url: `https://${site}${l.path}`, referrer: l.referrer, w: 1280, ...payload },
          { receivedAt: ts, client: l.ip, headers },
        ),
      });
    // nginx logs the response, the beacon runs once the page is shown: up to TWIN_WINDOW_MS later.
    const shown = l.ts + 500 + Math.floor(random() * 20_000);
    const roll = random();
    if (roll < 0.1) at(shown, { type: 'pageview', url: `https://${site}${l.path}#/tab`, hash: true });
    else at(shown, { type: 'pageview' });
    if (roll > 0.7) at(shown + 45_000, { type: 'engagement', engaged_ms: 1_000 + Math.floor(random() * 60_000) });
    if (roll > 0.9) at(shown + 30_000, { type: 'event', name: 'signup', props: { plan: roll > 0.95 ? 'pro' : 'free' } });
  }
  return out;
}

/** Records no step can use, one of each kind a collector can let through (invalid_hit, invalid_beacon, a line of no known format). */
function unusable(site: string, at: number): Hit[] {
  const beacon = (payload: Record<string, unknown>) =>
    beaconHit(site, payload, { receivedAt: at, client: '198.51.100.7', headers: { userAgent: 'Mozilla/5.0' } });
  return [
    logHit(site, 'not a log line at all', { receivedAt: at }),
    beacon({ type: 'scroll', url: `https://${site}/` }),
    beacon({ url: 'nowhere' }),
  ];
}

/**
 * The streams: per fixture log, `collector:<log>` (pseudonymised lines, their beacons, a few
 * unusable records) and `replay:<log>` (the raw lines). Items in time order (file order within
 * a second); `receivedAt` of a replayed line is `replayedAt`, as replay stamps the time it read it.
 * `countryOf`: the collector's lookup of addresses (a replayed line's is the processor's).
 */
export function differentialStreams(replayedAt: number, countryOf: CountryOf): InputStream[] {
  // The collector's pseudonyms (under TEST_SALT, as tests/helpers/hits.ts makes them), with the country it looks up first.
  const pseudonymise = pseudonymiser(() => TEST_SALT, Date.now, countryOf);
  return LOG_FILES.flatMap((file, f) => {
    const site = LOG_SITES[file];
    const lines = readCombinedLog(fixture(`logs/${file}`));
    // Lines reach the collector a second after they are logged, from the shipper at 192.0.2.9.
    const logged = lines.map((l) => ({ ts: l.ts, hit: logHit(site, l.raw, { receivedAt: l.ts + 1000, client: '192.0.2.9' }) }));
    const last = lines.at(-1)!.ts;
    const bad = unusable(site, last).map((hit) => ({ ts: last, hit }));
    const live = [...logged, ...beaconsOf(site, lines, 27 + f), ...bad]
      .map((x, n) => ({ n, ts: x.ts, hit: pseudonymise.hit(x.hit), replay: false }))
      .sort((a, b) => a.ts - b.ts || a.n - b.n);
    const replayed = lines
      .map((l, n) => ({ n, ts: l.ts, hit: logHit(site, l.raw, { receivedAt: replayedAt }), replay: true }))
      .sort((a, b) => a.ts - b.ts || a.n - b.n);
    return [
      { name: `collector:${file}`, items: live },
      { name: `replay:${file}`, items: replayed },
    ];
  });
}

/**
 * The fuzz test's hostile input (tests/helpers/hostile-input.ts) as a collector would put it on a bus: log lines of
 * both formats with hostile values, bytes that are not UTF-8, and beacons with hostile fields, `count` of each kind.
 */
export function hostileStream(count: number, seed: number, receivedAt: number): InputStream {
  const gen = hostileGenerator(seed);
  const from = { receivedAt, client: '198.51.100.7', headers: { userAgent: CHROME, acceptLanguage: 'en' } };
  const hits: Hit[] = [];
  for (let i = 0; i < count; i++) {
    for (const line of gen.logLine().toString('utf8').split('\n')) hits.push(logHit(FUZZ_SITE, line, from));
    const payload: unknown = JSON.parse(gen.beacon());
    if (typeof payload === 'object' && payload !== null && !Array.isArray(payload))
      hits.push(beaconHit(FUZZ_SITE, payload as Record<string, unknown>, from));
  }
  return { name: 'hostile', items: hits.map((hit, n) => ({ n, ts: receivedAt, hit, replay: false })) };
}
