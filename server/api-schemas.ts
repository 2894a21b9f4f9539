/**
 * What every part of the OpenAPI document shares (server/openapi.ts): the
 * error body every refusal answers with (common/http-error.ts, handle-error.ts),
 * the ways a caller is let in, and shorthands for a response of each kind.
 */
import { z, type RouteConfig } from '@hono/zod-openapi';

/** Every refusal: a stable code for programs, a sentence for people. */
export const ERROR_BODY = z
  .object({
    error: z.string().openapi({ description: 'A stable code, e.g. `invalid_parameter`', example: 'invalid_parameter' }),
    message: z.string().openapi({ description: 'What was wrong, for a person' }),
  })
  .openapi('Error');

type Responses = RouteConfig['responses'];
type Security = NonNullable<RouteConfig['security']>;

/** Security schemes, named as securitySchemes of the document (openapi.ts registers them). */
export const SECURITY_SCHEMES = {
  session: { type: 'apiKey', in: 'cookie', name: 'scalehouse_session', description: 'The dashboard login (POST /login)' },
  apiToken: { type: 'http', scheme: 'bearer', description: 'An API token of DASHBOARD_TOKENS: reads only' },
  ingestToken: { type: 'http', scheme: 'bearer', description: 'An ingest token of INGEST_TOKEN' },
} as const;

/** A login or an API token, as every dashboard read takes. */
export const READER: Security = [{ session: [] }, { apiToken: [] }];
/** A login alone: changes come from the dashboard's own pages (dashboard/auth/same-origin.ts). */
export const EDITOR: Security = [{ session: [] }];

export const jsonAnswer = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });

/** Refusals by status, each an Error body: `refusals({ 400: 'why' })`. */
export function refusals(why: Record<number, string>): Responses {
  return Object.fromEntries(Object.entries(why).map(([status, description]) => [status, jsonAnswer(description, ERROR_BODY)]));
}

/** The answers of a route behind the dashboard's login, besides its own. */
export const LOGIN_REFUSALS = { 401: 'No login and no API token (`login_required`)' };
/** What a change answers besides its own: no login, or not from the dashboard's pages. */
export const EDIT_REFUSALS = {
  401: 'No login (`login_required`)',
  403: 'An API token, or a request from another site (`login_required`, `cross_site`)',
};
