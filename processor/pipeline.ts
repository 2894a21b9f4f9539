/**
 * The per-hit pipeline: named pure steps in order, stopping at the first drop
 * or dead letter (as Plausible's ingest pipeline does). Sessionization is
 * stateful and runs over the whole batch afterwards (sessionize.ts).
 */
import type { Hit } from '../common/hit.ts';
import type { Event } from './event.ts';
import { deadLetter, type StepResult } from './result.ts';
import { parseHit } from './steps/parse-hit.ts';
import { normalise } from './steps/normalise.ts';
import { classifyUserAgent } from './steps/classify-user-agent.ts';
import { detectBot } from './steps/detect-bot.ts';
import { classifyReferrer } from './steps/classify-referrer.ts';
import { protectPrivacy, type SaltFor } from './steps/protect-privacy.ts';

export interface PipelineContext { saltFor: SaltFor }

type Step = { name: string; run: (ev: Event, hit: Hit, ctx: PipelineContext) => StepResult };

export const STEPS: Step[] = [
  { name: 'normalise', run: (ev) => normalise(ev) },
  { name: 'classify-user-agent', run: (ev) => classifyUserAgent(ev) },
  { name: 'detect-bot', run: (ev) => detectBot(ev) },
  { name: 'classify-referrer', run: (ev) => classifyReferrer(ev) },
  { name: 'protect-privacy', run: (ev, hit, ctx) => protectPrivacy(ev, ctx.saltFor, hit.headers.optOut === true) },
];

export function runPipeline(hit: Hit, ctx: PipelineContext): StepResult {
  let result: StepResult;
  let at = 'parse';
  try {
    result = parseHit(hit);
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
