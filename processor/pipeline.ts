/**
 * The per-hit pipeline: named pure steps in order, from the hit's bytes to a
 * finished event, stopping at the first drop or dead letter (as Plausible's
 * ingest pipeline does). What needs the whole batch — sessions — runs
 * afterwards, in processor/batch/.
 */
import type { Hit } from '../common/hit.ts';
import { emptyEvent, type Event } from './event.ts';
import { deadLetter, ok, type StepResult } from './result.ts';
import { parseHit } from './steps/parse.ts';
import { normalise } from './steps/normalise.ts';
import { classifyUserAgent } from './steps/classify-user-agent.ts';
import { detectBot } from './steps/detect-bot.ts';
import { classifyReferrer } from './steps/classify-referrer.ts';
import type { SaltFor } from '../common/pseudonym.ts';
import type { CountryOf } from '../common/country.ts';
import { locate } from './steps/locate.ts';
import { protectPrivacy } from './steps/protect-privacy.ts';

export interface PipelineContext {
  saltFor: SaltFor;
  /** The host names of a site (processor/state/host-store.ts); without it, just the site's name. */
  hostsOf?: (site: string) => ReadonlySet<string>;
  /** Country lookup for addresses that reach the processor unpseudonymised (tail, replay). */
  countryOf?: CountryOf;
}

const NO_HOSTS: ReadonlySet<string> = new Set();

interface Step {
  name: string;
  run: (ev: Event, hit: Hit, ctx: PipelineContext) => StepResult;
}

export const STEPS: readonly Step[] = [
  // The hit's own bytes make the event: parse starts from nothing but the hit.
  { name: 'parse', run: (_blank, hit) => parseHit(hit) },
  { name: 'normalise', run: (ev) => normalise(ev) },
  { name: 'classify-user-agent', run: (ev) => classifyUserAgent(ev) },
  { name: 'detect-bot', run: (ev) => detectBot(ev) },
  { name: 'classify-referrer', run: (ev, _hit, ctx) => classifyReferrer(ev, ctx.hostsOf?.(ev.site) ?? NO_HOSTS) },
  { name: 'locate', run: (ev, hit, ctx) => locate(ev, hit.headers.country, ctx.countryOf) },
  { name: 'protect-privacy', run: (ev, hit, ctx) => protectPrivacy(ev, ctx.saltFor, hit.headers.optOut === true) },
];

export function runPipeline(hit: Hit, ctx: PipelineContext): StepResult {
  let result: StepResult = ok(emptyEvent(hit.site, hit.receivedAt, hit.kind));
  let at = '';
  try {
    for (const step of STEPS) {
      if (!result.ok) break;
      at = step.name;
      result = step.run(result.event, hit, ctx);
    }
  } catch (err) {
    // Steps are meant not to throw; if one does, this hit becomes a dead letter and the batch goes on.
    return deadLetter('processing_error', `step ${at} failed: ${(err as Error)?.message ?? String(err)}`);
  }
  if (!result.ok && 'drop' in result) delete result.event.client; // a dropped hit keeps no IP either
  return result;
}
