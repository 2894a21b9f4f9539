/** The OpenAPI route definitions of goals and funnels (definition-routes.ts; bodies checked by definition.ts). */
import { createRoute, z } from '@hono/zod-openapi';
import { EDIT_REFUSALS, EDITOR, jsonAnswer, LOGIN_REFUSALS, READER, refusals } from '../../server/api-schemas.ts';
import { MAX_FUNNELS, MAX_GOALS, MAX_STEPS } from './definition.ts';

const SITE = z.string().openapi({ description: 'One of SITES', example: 'example.com' });
const ID = z.uuid().openapi({ param: { name: 'id', in: 'path' } });
const CREATED_AT = z.iso.datetime().openapi({ description: 'When it was first made, ISO 8601 (UTC)', example: '2026-06-01T12:00:00.000Z' });

const STEP = z
  .object({
    kind: z.enum(['event', 'page']).openapi({ description: 'A custom event by name, or pageviews by path pattern' }),
    match: z.string().openapi({ description: "The event's name, or a path pattern (`*` matches any characters)", example: '/blog/*' }),
  })
  .openapi('Step');
const GOAL_INPUT = STEP.extend({ site: SITE, name: z.string() }).openapi('GoalInput');
const FUNNEL_INPUT = z.object({ site: SITE, name: z.string(), steps: z.array(STEP).min(2).max(MAX_STEPS) }).openapi('FunnelInput');
const GOAL = GOAL_INPUT.extend({ id: z.uuid(), created_at: CREATED_AT }).openapi('Goal');
const FUNNEL = FUNNEL_INPUT.extend({ id: z.uuid(), created_at: CREATED_AT }).openapi('Funnel');

const kinds = [
  { kind: 'goal', plural: 'goals', path: '/api/goals', max: MAX_GOALS, input: GOAL_INPUT, output: GOAL },
  { kind: 'funnel', plural: 'funnels', path: '/api/funnels', max: MAX_FUNNELS, input: FUNNEL_INPUT, output: FUNNEL },
] as const;

const BODY_REFUSALS = { 413: 'A body over 16 KB (`payload_too_large`)', 415: 'Not JSON (`unsupported_media_type`)' };

export const DEFINITION_ROUTES = kinds.flatMap(({ kind, plural, path, max, input, output }) => [
  createRoute({
    method: 'get',
    path,
    tags: ['goals and funnels'],
    summary: `The ${plural} of a site`,
    security: READER,
    request: { query: z.object({ site: SITE }) },
    responses: {
      200: jsonAnswer(`The site's ${plural}`, z.object({ site: z.string(), [plural]: z.array(output) })),
      ...refusals({ 400: 'A bad site (`invalid_parameter`)', ...LOGIN_REFUSALS }),
    },
  }),
  createRoute({
    method: 'post',
    path,
    tags: ['goals and funnels'],
    summary: `A new ${kind}`,
    security: EDITOR,
    request: { body: { required: true, content: { 'application/json': { schema: input } } } },
    responses: {
      201: jsonAnswer(`The ${kind}`, z.object({ [kind]: output })),
      ...refusals({
        400: `Not a ${kind} (\`invalid_definition\`, \`invalid_json\`)`,
        ...EDIT_REFUSALS,
        409: `The site has ${max} already (\`too_many\`)`,
        ...BODY_REFUSALS,
      }),
    },
  }),
  createRoute({
    method: 'put',
    path: `${path}/{id}`,
    tags: ['goals and funnels'],
    summary: `A new version of a ${kind}`,
    security: EDITOR,
    request: { params: z.object({ id: ID }), body: { required: true, content: { 'application/json': { schema: input } } } },
    responses: {
      200: jsonAnswer(`The ${kind}`, z.object({ [kind]: output })),
      ...refusals({
        400: `Not a ${kind} (\`invalid_definition\`, \`invalid_json\`)`,
        ...EDIT_REFUSALS,
        404: `No such ${kind} for the site (\`unknown_${kind}\`)`,
        ...BODY_REFUSALS,
      }),
    },
  }),
  createRoute({
    method: 'delete',
    path: `${path}/{id}`,
    tags: ['goals and funnels'],
    summary: `A ${kind} gone`,
    security: EDITOR,
    request: { params: z.object({ id: ID }), query: z.object({ site: SITE }) },
    responses: {
      200: jsonAnswer('Its id', z.object({ deleted: z.uuid() })),
      ...refusals({ 400: 'A bad site (`invalid_parameter`)', ...EDIT_REFUSALS, 404: `No such ${kind} for the site (\`unknown_${kind}\`)` }),
    },
  }),
]);
