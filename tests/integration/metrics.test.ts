/**
 * /metrics of a real `scalehouse start`, scraped and parsed by a Prometheus
 * text-format parser of its own: token-protected on the main port, open on
 * METRICS_PORT, and its counters moving with the hits — acknowledged,
 * refused by reason, processed, loaded, dropped — and its histograms filled.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startApp, drainAndStop, TEST_INGEST_TOKEN, type AppProcess } from '../helpers/app-process.ts';
import { scrape, sample } from '../helpers/prometheus.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const BOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

let app: AppProcess | undefined;
afterAll(async () => {
  if (app && app.child.exitCode === null) app.child.kill('SIGKILL');
});

const beacon = (url: string, ua: string, path: string) =>
  fetch(`${url}/api/event`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': ua },
    body: JSON.stringify({ site: 'metrics.example', url: `https://metrics.example${path}` }),
  });

describe('/metrics', () => {
  it('is for token holders on the main port, open on METRICS_PORT, and counts hits as they flow', async () => {
    const metricsPort = await freePort();
    app = await startApp({ DATA_DIR: tempDir('metrics'), METRICS_PORT: '0', LOG_LEVEL: 'warn' }, await freePort());
    const own = `${app.url}/metrics`;
    expect((await fetch(own)).status).toBe(401);
    expect((await fetch(own, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const before = await scrape(own, TEST_INGEST_TOKEN);
    expect(sample(before, 'scalehouse_hits_acknowledged_total', { source: 'http' })).toBe(0);
    // The process and Node.js metrics under their standard names, as stock Node.js dashboards look for them.
    expect(before.get('process_cpu_seconds_total')?.type).toBe('COUNTER');
    expect(before.get('nodejs_heap_size_used_bytes')?.type).toBe('GAUGE');
    expect(before.has('scalehouse_process_cpu_seconds_total')).toBe(false);

    const humans = 12;
    const bots = 5;
    for (let i = 0; i < humans; i++) expect((await beacon(app.url, BROWSER, `/page-${i}`)).status).toBe(202);
    for (let i = 0; i < bots; i++) expect((await beacon(app.url, BOT, `/bot-${i}`)).status).toBe(202);
    const bad = await fetch(`${app.url}/api/event`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{not json' });
    expect(bad.status).toBe(400);
    const badCode = ((await bad.json()) as { error: string }).error;
    const noToken = await fetch(`${app.url}/api/logs?site=metrics.example`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(noToken.status).toBe(401);
    expect((await fetch(`${app.url}/api/event`)).status).toBe(405);
    expect((await fetch(`${app.url}/no/such/${'x'.repeat(20)}`)).status).toBe(404);

    const after = await waitFor('the processor to load the beacons', async () => {
      const m = await scrape(own, TEST_INGEST_TOKEN);
      // The bus commits a batch just after the processor reports it: wait for both.
      return sample(m, 'scalehouse_records_processed_total') >= humans + bots && sample(m, 'scalehouse_bus_lag_hits') === 0 ? m : undefined;
    });
    expect(sample(after, 'scalehouse_hits_acknowledged_total', { source: 'http' })).toBe(humans + bots);
    expect(sample(after, 'scalehouse_hits_refused_total', { source: 'http', reason: badCode })).toBe(1);
    expect(sample(after, 'scalehouse_hits_refused_total', { source: 'http', reason: 'missing_token' })).toBe(1);
    expect(sample(after, 'scalehouse_records_processed_total')).toBe(humans + bots);
    expect(sample(after, 'scalehouse_events_loaded_total')).toBe(humans);
    expect(sample(after, 'scalehouse_hits_dropped_total', { reason: 'bot' })).toBe(bots);
    const batches = sample(after, 'scalehouse_batches_total');
    expect(batches).toBeGreaterThanOrEqual(1);
    // Histograms: one observation per batch.
    expect(sample(after, 'scalehouse_insert_duration_seconds')).toBe(batches);
    expect(Number(after.get('scalehouse_batch_records')!.metrics[0]!.sum)).toBe(humans + bots);
    // Every request answered, by the route pattern that answered and status class — never the raw path.
    // Read from the text itself: the parser drops a histogram's labels when `le` comes first, as prom-client writes it.
    const text = await (await fetch(own, { headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}` } })).text();
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    const timed = (route: string, statusClass: string) =>
      Number(
        text.match(
          new RegExp(
            `^http_request_duration_seconds_count\\{route="${route.replace(/[/]/g, '\\/')}",status_class="${statusClass}"\\} (\\d+)$`,
            'm',
          ),
        )?.[1] ?? 0,
      );
    expect([timed('/api/event', '2xx'), timed('/api/event', '4xx'), timed('/api/logs', '4xx'), timed('unmatched', '4xx')]).toEqual([
      humans + bots,
      1,
      1,
      2,
    ]);
    expect(timed('/metrics', '2xx')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('/no/such/');
    // /readyz and /metrics read the same counters.
    const ready = await app.readyz();
    expect(ready.body.accepted).toBe(humans + bots);
    expect(ready.body.refused).toEqual({ [badCode]: 1, missing_token: 1 });
    await drainAndStop(app);

    // On a port of its own, without a token.
    app = await startApp({ DATA_DIR: tempDir('metrics-port'), METRICS_PORT: String(metricsPort) }, await freePort());
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
    const open = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(open.has('scalehouse_hits_acknowledged_total')).toBe(true);
    await drainAndStop(app);
  }, 120_000);
});
