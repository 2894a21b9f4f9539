/** The OpenAPI route definitions of the owner's API of shared links (api-routes.ts; the body checked by link-input.ts). */
import { createRoute, z } from '@hono/zod-openapi';
import { EDIT_REFUSALS, EDITOR, jsonAnswer, LOGIN_REFUSALS, READER, refusals } from '../../server/api-schemas.ts';

const SITE = z.string().openapi({ description: 'One of SITES', example: 'example.com' });

const LINK_INPUT = z
  .object({
    site: SITE,
    label: z.string().optional(),
    password: z.string().min(8).max(200).optional().openapi({ description: 'Asked before the link opens anything; none when absent' }),
    embed_origins: z
      .array(z.string())
      .max(10)
      .optional()
      .openapi({ description: "Origins that may frame the link's page", example: ['https://blog.example.com'] }),
  })
  .openapi('ShareInput');

const SHARE = z
  .object({
    id: z.uuid(),
    site: z.string(),
    label: z.string(),
    has_password: z.boolean(),
    embed_origins: z.array(z.string()),
    created_at: z.iso.datetime().openapi({ description: 'ISO 8601 (UTC)', example: '2026-06-01T12:00:00.000Z' }),
  })
  .openapi('Share');

export const SHARE_ROUTES = [
  createRoute({
    method: 'get',
    path: '/api/shares',
    tags: ['shared links'],
    summary: 'The live shared links of a site (never their tokens)',
    security: READER,
    request: { query: z.object({ site: SITE }) },
    responses: {
      200: jsonAnswer('The links', z.object({ site: z.string(), shares: z.array(SHARE) })),
      ...refusals({ 400: 'A bad site (`invalid_parameter`)', ...LOGIN_REFUSALS }),
    },
  }),
  createRoute({
    method: 'post',
    path: '/api/shares',
    tags: ['shared links'],
    summary: 'A new read-only link: its token once, in this answer',
    security: EDITOR,
    request: { body: { required: true, content: { 'application/json': { schema: LINK_INPUT } } } },
    responses: {
      201: jsonAnswer('The link', z.object({ share: SHARE, token: z.string(), url: z.string().openapi({ example: '/share/TOKEN' }) })),
      ...refusals({
        400: 'Not a link (`invalid_link`, `invalid_json`)',
        ...EDIT_REFUSALS,
        413: 'A body over 16 KB (`payload_too_large`)',
        415: 'Not JSON (`unsupported_media_type`)',
      }),
    },
  }),
  createRoute({
    method: 'delete',
    path: '/api/shares/{id}',
    tags: ['shared links'],
    summary: 'A link revoked: it opens nothing from the next request on',
    security: EDITOR,
    request: { params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) }), query: z.object({ site: SITE }) },
    responses: {
      200: jsonAnswer('Its id', z.object({ revoked: z.uuid() })),
      ...refusals({ ...EDIT_REFUSALS, 404: 'No live link of that id for the site (`unknown_share`)' }),
    },
  }),
];
