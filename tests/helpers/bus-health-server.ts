/**
 * What a role serves about its bus, the way `scalehouse start` serves it (cli/commands/start.ts):
 * /readyz from ClickHouse's ping and the bus's problems, /metrics from the bus's stats, both on a
 * real HTTP server on 127.0.0.1 — for tests that watch a processor get stuck or stall.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bus } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { ping } from '../../clickhouse/query.ts';
import { createServerApp } from '../../server/app.ts';
import { healthRoutes } from '../../server/health.ts';
import { listen } from '../../server/listen.ts';
import { createMetrics, type Metrics } from '../../server/metrics.ts';
import { metricsRoutes } from '../../server/metrics-route.ts';

export interface BusHealthServer {
  url: string;
  metrics: Metrics;
  /** GET /readyz: its status and body (`T`: the fields a test reads). */
  readyz: <T = { status: string; problems: string[] }>() => Promise<{ status: number; body: T }>;
  close: () => Promise<void>;
}

export async function serveBusHealth(bus: Bus, ch: ClickHouse): Promise<BusHealthServer> {
  const metrics = createMetrics({ bus: () => bus.stats() });
  const server = (await listen(
    createServerApp({
      trustedProxies: [],
      peerAddress: () => '127.0.0.1',
      routes: [
        healthRoutes({ readiness: async () => [...(await ping(ch)), ...bus.problems()], status: () => ({ bus: bus.stats() }) }),
        metricsRoutes(metrics.registry),
      ],
    }),
    { host: '127.0.0.1', port: 0 },
  )) as Server;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    metrics,
    readyz: async <T>() => {
      const res = await fetch(`${url}/readyz`);
      return { status: res.status, body: (await res.json()) as T };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
