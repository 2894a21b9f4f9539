/**
 * A new shared link as the API takes it (POST /api/shares): the site, and
 * optionally a label, a password (8 to 200 characters) and the origins that
 * may embed the link's dashboard in a frame (https://blog.example.com; at
 * most 10). Pure: parsed JSON in, the link's settings out, or a
 * DefinitionError whose message the 400 carries.
 */
import { isValidSiteName } from '../../common/config.ts';
import { DefinitionError } from '../goals/definition.ts';

export interface LinkInput {
  site: string;
  label: string;
  password: string;
  embedOrigins: string[];
}

const FIELDS = ['site', 'label', 'password', 'embed_origins'];
/** An origin as a browser sends it: scheme, host and port, nothing after (CSP frame-ancestors takes it as is). */
const ORIGIN = /^https?:\/\/(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

function fail(message: string): never {
  throw new DefinitionError(message);
}

export function parseLink(body: unknown): LinkInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    fail('the link must be a JSON object: {"site": "example.com", "label": …, "password": …, "embed_origins": […]}');
  const o = body as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !FIELDS.includes(k));
  if (unknown.length)
    fail(`unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ').slice(0, 100)}; known: ${FIELDS.join(', ')}`);
  const site = typeof o.site === 'string' ? o.site.toLowerCase() : '';
  if (!isValidSiteName(site)) fail('site must be the name of a site, e.g. "example.com"');
  const label = o.label === undefined ? '' : typeof o.label === 'string' ? o.label.trim() : fail('label must be a string');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a label with control characters is refused
  if (label.length > 100 || /[\u0000-\u001f\u007f]/.test(label)) fail('label must be at most 100 characters, without control characters');
  const password =
    o.password === undefined || o.password === '' ? '' : typeof o.password === 'string' ? o.password : fail('password must be a string');
  if (password && (password.length < 8 || password.length > 200))
    fail('password must be 8 to 200 characters (or left out for a link without one)');
  const origins =
    o.embed_origins === undefined
      ? []
      : Array.isArray(o.embed_origins)
        ? o.embed_origins
        : fail('embed_origins must be a list of origins, e.g. ["https://blog.example.com"]');
  if (origins.length > 10) fail('embed_origins lists at most 10 origins');
  const embedOrigins = origins.map((x) => {
    const origin = typeof x === 'string' ? x.trim().toLowerCase().replace(/\/$/, '') : '';
    if (!ORIGIN.test(origin))
      fail(`embed_origins: "${String(x).slice(0, 80)}" is not an origin — scheme and host (and port), e.g. https://blog.example.com`);
    return origin;
  });
  return { site, label, password, embedOrigins: [...new Set(embedOrigins)] };
}
