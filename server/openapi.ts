/**
 * The OpenAPI 3.1 document of what this process serves, made from the route
 * definitions of the roles it runs (each role's described-routes.ts), and
 * GET /api/openapi.json, which serves it. The document is public: it
 * describes the API, not a site or its figures, and is the same for every
 * installation of a version.
 */
import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { ServerEnv } from './env.ts';
import { SECURITY_SCHEMES } from './api-schemas.ts';

export type ApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

export function describeApi(routes: RouteConfig[], version: string): ApiDocument {
  // An app to describe with, never mounted: the routes are served by their roles' own apps.
  const described = new OpenAPIHono();
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES))
    described.openAPIRegistry.registerComponent('securitySchemes', name, { ...scheme });
  for (const route of routes) described.openAPIRegistry.registerPath(route);
  return described.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Scalehouse HTTP API',
      version,
      description:
        "Intake (beacon and log batches), the dashboard's read API (named queries, goals, funnels, shared links, realtime) and health. " +
        'Every refusal is a JSON body `{error, message}` with a stable `error` code.',
    },
  });
}

export function openApiRoutes(document: ApiDocument): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const body = JSON.stringify(document);
  // Public and the same until the next release; `no-cache` so a client revalidates after an upgrade.
  app.get('/api/openapi.json', (c) =>
    c.body(body, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' }),
  );
  return app;
}
