/**
 * CSV export on the real engine: every named query of /api/stats, asked with
 * format=csv and the same parameters, is a file that an RFC 4180 parser (a
 * small one, here) reads back to the rows of the JSON answer — the access log
 * of a real site replayed, and visits whose event names, properties and
 * campaign tags hold commas, quotes, line breaks and spreadsheet formulas.
 * Cells a spreadsheet would run (= + - @) are text, with a leading '.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { testDashboard, type TestDashboard } from '../helpers/dashboard-app.ts';
import { fixture } from '../helpers/fixtures.ts';
import { TODAY } from '../helpers/hits.ts';
import { loadJourneys, makeJourneys, type Journey } from '../helpers/journeys.ts';

const NASTY_EVENT = '=HYPERLINK("http://evil.example","click, here")';
const NASTY_PROPS = { note: '-2+3', who: '@admin', text: 'a, "quoted"\r\nsecond line', plus: '+1', tab: '\tx', fine: 'plain' };
const LOG = 'site=secrepo.example&from=2021-10-22T00:00:00Z&to=2021-10-29T00:00:00Z';
const TODAY_RANGE = `site=example.com&from=${new Date(TODAY).toISOString()}&to=${new Date(TODAY + 6 * 3_600_000).toISOString()}`;

let ch: ClickHouse;
let d: TestDashboard;

/** RFC 4180, read back: fields split at commas, records at CRLF, a quoted field may hold both and "" is one quote. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"' && field === '') {
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i++];
      }
    } else if (text[i] === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (text[i] === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else field += text[i++];
  }
  expect(field === '' && record.length === 0, 'the file ends with CRLF').toBe(true);
  return records;
}

/** A JSON answer's rows as the documentation says a CSV holds them (docs/dashboards.md, "CSV export"). */
function jsonRows(data: any): Record<string, unknown>[] {
  if (Array.isArray(data)) return data;
  const period = (name: string, v: any): Record<string, unknown>[] =>
    v == null ? [] : (Array.isArray(v) ? v : [v]).map((r: object) => ({ period: name, ...r }));
  const current = period('current', data.current);
  if (!Array.isArray(data.current) && 'current_visitors' in data) current[0]!.current_visitors = data.current_visitors;
  return [...current, ...period('previous', data.previous)];
}
/** What a cell holds for a JSON value. */
const cell = (v: unknown) => {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string' && typeof v !== 'object') return String(v);
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
};

async function both(path: string) {
  const json = await d.app.request(path, { headers: d.browser });
  const sep = path.includes('?') ? '&' : '?';
  const csv = await d.app.request(`${path}${sep}format=csv`, { headers: d.browser });
  return {
    json: { status: json.status, body: (await json.json()) as any },
    csv: { status: csv.status, headers: csv.headers, text: await csv.text() },
  };
}

function expectSameRows(csvText: string, data: unknown, what: string) {
  const expected = jsonRows(data);
  const records = parseCsv(csvText);
  if (expected.length === 0) {
    expect(records, what).toEqual([]);
    return;
  }
  const [header, ...body] = records;
  const columns = [...new Set(expected.flatMap((r) => Object.keys(r)))];
  expect(header, what).toEqual(columns);
  expect(body, what).toEqual(expected.map((r) => columns.map((c) => cell(r[c]))));
}

beforeAll(async () => {
  ch = await freshClickHouse();
  await replayFile(ch, fixture('logs/secrepo-2021.log'), {
    site: 'secrepo.example',
    salts: new SaltStore(ch),
    sessionTimeoutMs: 1_800_000,
  });
  const nasty: Journey = {
    client: '203.0.113.9',
    start: TODAY + 3_600_000,
    referrer: 'https://news.example.net/',
    steps: [
      { page: '/landing?utm_source=%3Dcmd%7C%27%20%2FC%20calc%27!A0&utm_campaign=-x%2C%22y%22' },
      { event: NASTY_EVENT, props: NASTY_PROPS },
      { page: '/pricing' },
    ],
  };
  await loadJourneys(ch, 'example.com', [...makeJourneys(60, TODAY + 3_600_000), nasty]);
  d = await testDashboard(ch);
});
afterAll(async () => {
  await ch.close();
});

describe('CSV export', () => {
  it('answers every named query as CSV that reads back to the JSON rows, on a replayed log and on beacon visits', async () => {
    const names = ((await (await d.app.request('/api/stats', { headers: d.browser })).json()) as { queries: string[] }).queries;
    expect(names.length).toBeGreaterThan(25);
    const extra: Record<string, string> = {
      'custom-event-props': `&event=${encodeURIComponent(NASTY_EVENT)}`,
      overview: '&compare=previous',
      timeseries: '&compare=previous&granularity=hour',
    };
    let nonEmpty = 0;
    for (const range of [LOG, TODAY_RANGE]) {
      for (const name of names) {
        const { json, csv } = await both(`/api/stats/${name}?${range}${extra[name] ?? ''}`);
        expect([json.status, csv.status], `${name} ${range}`).toEqual([200, 200]);
        expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
        expect(csv.headers.get('cache-control')).toBe('no-store');
        // The current visitors are of "now", which moves between the two requests: compared apart.
        if (name === 'overview') {
          const [header, row] = parseCsv(csv.text);
          expect(row![header!.indexOf('current_visitors')]).toMatch(/^\d*$/);
          json.body.data.current_visitors = Number(row![header!.indexOf('current_visitors')]) || json.body.data.current_visitors;
        }
        expectSameRows(csv.text, json.body.data, `${name} ${range}`);
        if (jsonRows(json.body.data).length) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThan(40);
    // Bots' pages too.
    const bots = await both(`/api/stats/pages?${LOG}&traffic=bots`);
    expect(bots.json.body.data.length).toBeGreaterThan(0);
    expectSameRows(bots.csv.text, bots.json.body.data, 'bot pages');
  });

  it('names the file for the site, the query and the range', async () => {
    const { csv } = await both(`/api/stats/pages?${LOG}`);
    expect(csv.headers.get('content-disposition')).toBe(
      'attachment; filename="secrepo.example_pages_2021-10-22T0000Z_2021-10-29T0000Z.csv"',
    );
    const sites = await both('/api/stats/sites');
    expect(sites.csv.headers.get('content-disposition')).toBe('attachment; filename="all-sites_sites.csv"');
    expect(
      parseCsv(sites.csv.text)
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(['example.com', 'secrepo.example']);
  });

  it('keeps formulas, commas, quotes and line breaks as text', async () => {
    const events = await both(`/api/stats/custom-events?${TODAY_RANGE}`);
    expect(events.csv.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click, here"")"`);
    const props = await both(`/api/stats/custom-event-props?${TODAY_RANGE}&event=${encodeURIComponent(NASTY_EVENT)}`);
    const [header, ...body] = parseCsv(props.csv.text);
    const value = header!.indexOf('value');
    const key = header!.indexOf('key');
    expect(Object.fromEntries(body.map((r) => [r[key], r[value]]))).toEqual({
      note: "'-2+3",
      who: "'@admin",
      text: 'a, "quoted"\r\nsecond line',
      plus: "'+1",
      tab: "'\tx",
      fine: 'plain',
    });
    const utm = await both(`/api/stats/utm-sources?${TODAY_RANGE}`);
    expect(parseCsv(utm.csv.text).map((r) => r[0])).toContain("'=cmd|' /c calc'!a0"); // UTM tags are kept in lower case
    const campaigns = await both(`/api/stats/utm-campaigns?${TODAY_RANGE}`);
    expect(parseCsv(campaigns.csv.text).map((r) => r[0])).toContain('\'-x,"y"');
    // Numbers stay numbers: no quote before a count, a rate or a negative figure.
    expect(
      parseCsv((await both(`/api/stats/channels?${TODAY_RANGE}`)).csv.text)[1]!
        .slice(1)
        .every((v) => /^-?\d+(\.\d+)?$/.test(v)),
    ).toBe(true);
  });

  it('exports goal conversions and funnels the same way', async () => {
    const browser = { ...d.browser, 'content-type': 'application/json' };
    await d.app.request('/api/goals', {
      method: 'POST',
      headers: browser,
      body: JSON.stringify({ site: 'example.com', name: 'Pricing, seen', kind: 'page', match: '/pricing' }),
    });
    await d.app.request('/api/funnels', {
      method: 'POST',
      headers: browser,
      body: JSON.stringify({
        site: 'example.com',
        name: '=Funnel',
        steps: [
          { kind: 'page', match: '/' },
          { kind: 'page', match: '/pricing' },
        ],
      }),
    });
    for (const name of ['goals', 'goals-by-channel', 'goals-by-referrer', 'funnels']) {
      const { json, csv } = await both(`/api/stats/${name}?${TODAY_RANGE}`);
      expect([json.status, csv.status, json.body.data.length > 0]).toEqual([200, 200, true]);
      expectSameRows(csv.text, json.body.data, name);
    }
    expect((await both(`/api/stats/funnels?${TODAY_RANGE}`)).csv.text).toContain("'=Funnel");
  });

  it('refuses other formats, and the batch as CSV; a refusal stays JSON', async () => {
    const get = async (path: string) => {
      const res = await d.app.request(path, { headers: d.browser });
      return [res.status, res.headers.get('content-type'), ((await res.json()) as { error: string }).error];
    };
    expect(await get(`/api/stats/pages?${LOG}&format=xml`)).toEqual([400, 'application/json; charset=utf-8', 'invalid_parameter']);
    expect(await get(`/api/stats/batch?queries=pages&${LOG}&format=csv`)).toEqual([
      400,
      'application/json; charset=utf-8',
      'invalid_parameter',
    ]);
    expect(await get(`/api/stats/pages?${LOG}&format=csv&limit=0`)).toEqual([400, 'application/json; charset=utf-8', 'invalid_parameter']);
    expect(await get(`/api/stats/nothing?${LOG}&format=csv`)).toEqual([404, 'application/json; charset=utf-8', 'unknown_query']);
    expect((await d.app.request(`/api/stats/pages?${LOG}&format=csv`)).status).toBe(401);
    // format=json is the API's answer, as without it.
    const plain = await (await d.app.request(`/api/stats/pages?${LOG}`, { headers: d.browser })).json();
    expect(await (await d.app.request(`/api/stats/pages?${LOG}&format=json`, { headers: d.browser })).json()).toEqual(plain);
  });
});
