/**
 * Goals and funnels as the API takes them: a JSON body, checked field by
 * field (unknown fields, wrong types, empty or long names, bad patterns,
 * more than 8 steps are refused with the reason). Pure: parsed JSON in, a
 * definition out, or a DefinitionError whose message the 400 carries.
 *
 *   goal:   {"site": "example.com", "name": "Signup", "kind": "event", "match": "Signup"}
 *           {"site": "example.com", "name": "Read the blog", "kind": "page", "match": "/blog/*"}
 *   funnel: {"site": "example.com", "name": "Checkout", "steps": [{"kind": "page", "match": "/pricing"}, …]}
 */
import { isValidSiteName } from '../../common/config.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { patternProblem } from './pattern.ts';

export const MAX_STEPS = 8;
export const MAX_GOALS = 50;
export const MAX_FUNNELS = 20;
/**
 * A body that changes the dashboard's settings (a goal, a funnel, a shared link): at most 16 KB,
 * refused while it is read; one that is not JSON is `invalid_json`, as the login's (README).
 */
export const DEFINITION_BODY = { maxBytes: 16 * 1024, malformed: 'invalid_json' } as const;

export type StepKind = 'event' | 'page';
/** What a goal or a funnel step matches: a custom event by name, or pageviews by path pattern. */
export interface Step {
  kind: StepKind;
  match: string;
}
export interface GoalInput extends Step {
  site: string;
  name: string;
}
export interface FunnelInput {
  site: string;
  name: string;
  steps: Step[];
}

export class DefinitionError extends ScalehouseError {}

function fail(message: string): never {
  throw new DefinitionError(message);
}

function object(value: unknown, what: string, fields: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} must be a JSON object`);
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !fields.includes(k));
  if (unknown.length)
    fail(`unknown field${unknown.length > 1 ? 's' : ''} in ${what}: ${unknown.join(', ').slice(0, 100)}; known: ${fields.join(', ')}`);
  return o;
}

function site(value: unknown): string {
  const s = typeof value === 'string' ? value.toLowerCase() : '';
  if (!isValidSiteName(s)) fail('site must be the name of a site, e.g. "example.com"');
  return s;
}

function name(value: unknown, what: string): string {
  const n = typeof value === 'string' ? value.trim() : '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a name with control characters is refused
  if (!n || n.length > 100 || /[\u0000-\u001f\u007f]/.test(n))
    fail(`${what} must be a name of 1 to 100 characters, without control characters`);
  return n;
}

function step(value: unknown, what: string): Step {
  const o = object(value, what, ['kind', 'match']);
  if (o.kind !== 'event' && o.kind !== 'page')
    fail(`${what}: kind must be "event" (a custom event, by name) or "page" (pageviews, by path pattern)`);
  const kind = o.kind as StepKind;
  if (typeof o.match !== 'string')
    fail(`${what}: match must be a string — ${kind === 'event' ? "the custom event's name" : 'a path such as /blog/*'}`);
  const match = (o.match as string).trim();
  if (kind === 'event') {
    // The collector keeps 200 characters of an event's name.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a name with control characters is refused
    if (!match || match.length > 200 || /[\u0000-\u001f\u007f]/.test(match))
      fail(`${what}: match must be the custom event's name, 1 to 200 characters`);
  } else {
    const problem = patternProblem(match);
    if (problem) fail(`${what}: ${problem}`);
  }
  return { kind, match };
}

export function parseGoal(body: unknown): GoalInput {
  const o = object(body, 'the goal', ['site', 'name', 'kind', 'match']);
  return { site: site(o.site), name: name(o.name, 'name'), ...step({ kind: o.kind, match: o.match }, 'the goal') };
}

export function parseFunnel(body: unknown): FunnelInput {
  const o = object(body, 'the funnel', ['site', 'name', 'steps']);
  const s = site(o.site);
  const n = name(o.name, 'name');
  if (!Array.isArray(o.steps) || o.steps.length < 2 || o.steps.length > MAX_STEPS)
    fail(`steps must be a list of 2 to ${MAX_STEPS} steps, each {"kind": "page" | "event", "match": …}`);
  return { site: s, name: n, steps: (o.steps as unknown[]).map((x, i) => step(x, `step ${i + 1}`)) };
}
