/**
 * Visits made of beacon pageviews and custom events, from a seeded generator,
 * loaded into the real engine through the product's own batch handler (as a
 * collector's bus would deliver them): material for goals, funnels and exports.
 * Each journey is one visitor (its own address) entering from one referrer,
 * then pages and events in order, 5 to 90 s apart; some come back after more
 * than the session timeout (a second visit).
 */
import { beaconHit } from '../../common/hit.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { seeded } from './seeded-random.ts';

export const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export type JourneyStep = { page: string } | { event: string; props?: Record<string, string> };
export interface Journey {
  client: string;
  start: number;
  referrer: string;
  steps: JourneyStep[];
}

const PAGES = [
  '/',
  '/pricing',
  '/blog/first',
  '/blog/second',
  '/blog/2024/third',
  '/docs/start',
  '/docs/api/keys',
  '/signup',
  '/caf%C3%A9',
];
const EVENTS = ['Signup', 'Download', 'Outbound Link: Click'];
const REFERRERS = [
  '',
  '',
  'https://www.google.com/',
  'https://news.ycombinator.com/item?id=1',
  'https://t.co/x',
  'https://duckduckgo.com/',
  'https://blog.example.org/post',
];

/** `n` journeys from `start`, a visitor every 20 s. */
export function makeJourneys(n: number, start: number, seed = 15): Journey[] {
  const random = seeded(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const any = (): JourneyStep => (random() < 0.3 ? { event: pick(EVENTS), props: { plan: pick(['pro', 'free']) } } : { page: pick(PAGES) });
  return Array.from({ length: n }, (_, i) => {
    const steps: JourneyStep[] = [{ page: pick(PAGES) }];
    const more = Math.floor(random() * 7);
    for (let k = 0; k < more; k++) steps.push(any());
    // A quarter go (part of) the way home, pricing, signup, with other pages and events between.
    if (random() < 0.25) {
      const path: JourneyStep[] = [{ page: '/' }, { page: '/pricing' }, { event: 'Signup', props: { plan: 'pro' } }].slice(
        0,
        1 + Math.floor(random() * 3),
      );
      steps.splice(0, steps.length, ...path.flatMap((s) => (random() < 0.4 ? [s, any()] : [s])));
    }
    return { client: `198.51.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`, start: start + i * 20_000, referrer: pick(REFERRERS), steps };
  });
}

/** Loads the journeys (a second visit of every seventh visitor an hour later) through the batch handler of `ch`. */
export async function loadJourneys(ch: ClickHouse, site: string, journeys: Journey[], seed = 16): Promise<void> {
  const random = seeded(seed);
  const records: { value: string; position: string; offset: number }[] = [];
  const beacon = (j: Journey, at: number, payload: Record<string, unknown>) =>
    records.push({
      value: JSON.stringify(
        beaconHit(site, { site, ...payload }, { receivedAt: at, client: j.client, headers: { userAgent: BROWSER_UA } }),
      ),
      position: `journeys@${records.length + 1}`,
      offset: records.length + 1,
    });
  const visit = (j: Journey, from: number) => {
    let at = from;
    let page = '';
    for (const s of j.steps) {
      if ('page' in s) {
        beacon(j, at, {
          type: 'pageview',
          url: `https://${site}${s.page}`,
          referrer: page ? `https://${site}${page}` : j.referrer,
          w: 1280,
        });
        page = s.page;
      } else beacon(j, at, { type: 'event', url: `https://${site}${page || '/'}`, referrer: '', name: s.event, props: s.props ?? {} });
      at += 5_000 + Math.floor(random() * 85_000);
    }
  };
  journeys.forEach((j, i) => {
    visit(j, j.start);
    if (i % 7 === 3) visit({ ...j, referrer: '' }, j.start + 3_600_000);
  });
  records.sort((a, b) => JSON.parse(a.value).receivedAt - JSON.parse(b.value).receivedAt);
  const { handle } = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000 });
  for (let i = 0; i < records.length; i += 500) {
    const batch = records.slice(i, i + 500).map((r, k) => ({ ...r, offset: i + k + 1, position: `journeys@${i + k + 1}` }));
    await handle({ records: batch, token: `journeys-${site}-${i}`, stream: `journeys-${site}` });
  }
}
