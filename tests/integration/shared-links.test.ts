/**
 * Read-only shared links on the real engine: a link opens its own site's
 * dashboard and read API without a login — whatever site a request names —
 * and nothing else (no other site, no changes, not the pipeline of all
 * sites); revoked, it opens nothing from the next request on; with a password,
 * nothing until the password is given; only the token's digest is kept; only
 * a link's page, and only from the origins its owner listed, may be framed.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { API_TOKEN, testDashboard, type TestDashboard } from '../helpers/dashboard-app.ts';
import { TODAY } from '../helpers/hits.ts';
import { loadJourneys, makeJourneys } from '../helpers/journeys.ts';

const VIEW = `from=${new Date(TODAY).toISOString()}&to=${new Date(TODAY + 6 * 3_600_000).toISOString()}`;
let ch: ClickHouse;
let d: TestDashboard;

const request = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  d.app.request(path, init);
const owner = (method: string, path: string, body?: unknown) =>
  request(path, {
    method,
    headers: { ...d.browser, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const json = async (res: Response | Promise<Response>) => {
  const r = await res;
  return { status: r.status, body: (await r.json()) as any, headers: r.headers };
};
async function share(body: Record<string, unknown>) {
  const { status, body: made } = await json(owner('POST', '/api/shares', body));
  expect(status).toBe(201);
  return made as {
    token: string;
    url: string;
    share: { id: string; site: string; label: string; has_password: boolean; embed_origins: string[]; created_at: string };
  };
}
/** A password form posted as a browser on the link's own page posts it. */
const unlock = (token: string, password: string, headers: Record<string, string> = { 'sec-fetch-site': 'same-origin' }) =>
  request(`/share/${token}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: `password=${encodeURIComponent(password)}`,
  });

beforeAll(async () => {
  ch = await freshClickHouse();
  await loadJourneys(ch, 'example.com', makeJourneys(80, TODAY + 3_600_000));
  await loadJourneys(ch, 'other.example', makeJourneys(50, TODAY + 3_600_000, 77));
  d = await testDashboard(ch);
  // A goal on each site: a link shows its own site's.
  for (const site of ['example.com', 'other.example'])
    await owner('POST', '/api/goals', { site, name: `Pricing of ${site}`, kind: 'page', match: '/pricing' });
});
afterAll(async () => {
  await ch.close();
});

describe('shared links', () => {
  it('makes a link whose token is answered once and kept only as its digest', async () => {
    const made = await share({ site: 'Example.com', label: 'for the team' });
    expect(made.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(made.url).toBe(`/share/${made.token}`);
    expect(made.share).toMatchObject({ site: 'example.com', label: 'for the team', has_password: false, embed_origins: [] });
    // ISO 8601, as every time the API answers; the list answers the same.
    expect(made.share.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(made.share.created_at) - Date.now())).toBeLessThan(600_000);
    const listed = (await json(owner('GET', '/api/shares?site=example.com'))).body;
    expect(listed.shares).toEqual([made.share]);
    expect(JSON.stringify(listed)).not.toContain(made.token);
    const stored = await rows<{ token_digest: string }>(ch, 'SELECT * FROM share_links');
    expect(stored.map((r) => r.token_digest)).toEqual([createHash('sha256').update(made.token).digest('hex')]);
    expect(JSON.stringify(stored)).not.toContain(made.token);
  });

  it("opens its site's dashboard without a login, its files and read API under its own path", async () => {
    const { token } = await share({ site: 'example.com' });
    const page = await request(`/share/${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<body class="shared">');
    expect(html).toContain(`src="/share/${token}/ui/app.js"`);
    expect(html).toContain('<title>example.com — Scalehouse</title>');
    expect(html).not.toContain('src="/ui/');
    for (const file of ['app.js', 'view-bridge.js', 'goals.js', 'sharing.js', 'style.css', 'goals.css', 'uplot.js'])
      expect((await request(`/share/${token}/ui/${file}`)).status, file).toBe(200);
    // Not framed by anyone: the link names no origin.
    expect([page.headers.get('x-frame-options'), page.headers.get('content-security-policy')]).toEqual([
      'DENY',
      expect.stringContaining("frame-ancestors 'none'"),
    ]);
    expect(page.headers.get('x-robots-tag')).toBe('noindex, nofollow');
  });

  it('answers for its own site only, whatever site a request names', async () => {
    const { token } = await share({ site: 'example.com' });
    const mine = (await json(owner('GET', `/api/stats/overview?site=example.com&${VIEW}`))).body.data.current;
    const others = (await json(owner('GET', `/api/stats/overview?site=other.example&${VIEW}`))).body.data.current;
    expect(mine.visits).not.toBe(others.visits);
    for (const site of ['example.com', 'other.example', '']) {
      const shared = await json(request(`/share/${token}/api/stats/overview?${site ? `site=${site}&` : ''}${VIEW}`));
      expect([shared.status, shared.body.data.current], site).toEqual([200, mine]);
    }
    // The batch too, its queries' own `NAME.site` included.
    const batch = await json(
      request(`/share/${token}/api/stats/batch?queries=pages,channels&site=other.example&pages.site=other.example&${VIEW}`),
    );
    if (batch.status === 200) {
      // the batched endpoint, where this checkout has it
      expect(batch.body.results.pages.data).toEqual((await json(owner('GET', `/api/stats/pages?site=example.com&${VIEW}`))).body.data);
      expect(batch.body.results.channels.data).toEqual(
        (await json(owner('GET', `/api/stats/channels?site=example.com&${VIEW}`))).body.data,
      );
      const denied = await json(request(`/share/${token}/api/stats/batch?queries=pipeline,overview&${VIEW}`));
      expect(Object.keys(denied.body.results)).toEqual(['pipeline', 'overview']);
      expect(denied.body.results.pipeline).toMatchObject({ error: 'not_shared', status: 403 });
      expect(denied.body.results.overview.data.current).toEqual(mine);
    }
    // The site list holds its site alone; the pipeline of all sites and the alerts are not shared.
    expect((await json(request(`/share/${token}/api/stats/sites`))).body.data.map((s: { site: string }) => s.site)).toEqual([
      'example.com',
    ]);
    for (const name of ['pipeline', 'alerts'])
      expect((await json(request(`/share/${token}/api/stats/${name}?${VIEW}`))).body.error, name).toBe('not_shared');
    // Goals: its site's.
    const goals = (await json(request(`/share/${token}/api/stats/goals?site=other.example&${VIEW}`))).body;
    expect(goals.data.map((g: { goal: string }) => g.goal)).toEqual(['Pricing of example.com']);
    // And as CSV, named for its site.
    const csv = await request(`/share/${token}/api/stats/pages?site=other.example&${VIEW}&format=csv`);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="example\.com_pages_/);
  });

  it('changes nothing and reaches nothing beyond the read API', async () => {
    const { token } = await share({ site: 'example.com' });
    for (const path of [
      '/api/goals?site=example.com',
      '/api/shares?site=example.com',
      '/api/realtime?site=example.com',
      '/api/stats/../../api/shares',
      '/login',
    ]) {
      expect((await request(`/share/${token}${path}`)).status, path).toBe(404);
    }
    expect(
      (await request(`/share/${token}/api/goals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
    ).toBe(404);
    // The dashboard itself still wants a login.
    expect((await request(`/api/stats/overview?site=example.com&${VIEW}`)).status).toBe(401);
    expect((await request('/')).status).toBe(303);
  });

  it('opens nothing once revoked, from the next request on', async () => {
    const { token, share: link } = await share({ site: 'example.com', label: 'to revoke' });
    expect((await request(`/share/${token}/api/stats/pages?${VIEW}`)).status).toBe(200);
    expect((await json(owner('DELETE', `/api/shares/${link.id}?site=other.example`))).status).toBe(404); // not that site's
    expect((await json(owner('DELETE', `/api/shares/${link.id}?site=example.com`))).body).toEqual({ revoked: link.id });
    const page = await request(`/share/${token}`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('does not exist, or its owner revoked it');
    expect((await json(request(`/share/${token}/api/stats/pages?${VIEW}`))).body).toMatchObject({ error: 'share_not_found' });
    expect((await json(owner('GET', '/api/shares?site=example.com'))).body.shares.map((s: { id: string }) => s.id)).not.toContain(link.id);
    expect((await json(owner('DELETE', `/api/shares/${link.id}?site=example.com`))).status).toBe(404);
  });

  it('needs the password of a protected link: a cookie for that link alone, checked again after revocation', async () => {
    const { token, share: link } = await share({ site: 'example.com', password: 'open sesame' });
    expect(link.has_password).toBe(true);
    const form = await request(`/share/${token}`);
    expect(form.status).toBe(401);
    expect(await form.text()).toContain('protected by a password');
    expect((await json(request(`/share/${token}/api/stats/pages?${VIEW}`))).body.error).toBe('password_required');
    const wrong = await unlock(token, 'open barley');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong password');
    expect((await unlock(token, 'open sesame', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const right = await unlock(`${token}`, 'open sesame');
    expect([right.status, right.headers.get('location')]).toEqual([303, `/share/${token}`]);
    const setCookie = right.headers.get('set-cookie')!;
    expect(setCookie).toMatch(
      new RegExp(`^scalehouse_share=\\d+\\.[\\w-]{43}; Max-Age=43200; Path=/share/${token}; HttpOnly; SameSite=Lax$`),
    );
    const cookie = { cookie: setCookie.split(';')[0]! };
    expect((await request(`/share/${token}`, { headers: cookie })).status).toBe(200);
    expect((await request(`/share/${token}/api/stats/pages?${VIEW}`, { headers: cookie })).status).toBe(200);
    // Not another protected link's; not altered.
    const other = await share({ site: 'example.com', password: 'open sesame' });
    expect((await request(`/share/${other.token}`, { headers: cookie })).status).toBe(401);
    const [expiry, mac] = cookie.cookie.slice('scalehouse_share='.length).split('.');
    expect((await request(`/share/${token}`, { headers: { cookie: `scalehouse_share=${Number(expiry) + 1000}.${mac}` } })).status).toBe(
      401,
    );
    // Revoked: nothing, cookie or not.
    await owner('DELETE', `/api/shares/${link.id}?site=example.com`);
    expect((await request(`/share/${token}`, { headers: cookie })).status).toBe(404);
    expect((await request(`/share/${token}/api/stats/pages?${VIEW}`, { headers: cookie })).status).toBe(404);
  });

  it("serves its files only while the link lives, and a protected link's code only after its password", async () => {
    const FILES = ['app.js', 'view-bridge.js', 'goals.js', 'sharing.js', 'style.css', 'goals.css', 'uplot.js', 'uplot.css'];
    const asset = async (token: string, file: string, headers: Record<string, string> = {}) => {
      const res = await request(`/share/${token}/ui/${file}`, { headers });
      return { status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control'), body: await res.text() };
    };
    const refused = (status: number, error: string) => ({
      status,
      type: 'application/json; charset=utf-8',
      cache: null,
      body: expect.stringContaining(`"error":"${error}"`),
    });
    // Unknown tokens: nothing, as JSON, like the rest of the share.
    for (const t of ['A'.repeat(32), 'short']) expect(await asset(t, 'app.js'), t).toEqual(refused(404, 'share_not_found'));

    // A live link: every file, kept out of shared caches (its URL holds the token).
    const { token, share: link } = await share({ site: 'example.com' });
    for (const file of FILES) expect(await asset(token, file), file).toMatchObject({ status: 200, cache: 'private, max-age=300' });
    expect((await asset(token, 'nope.js')).status).toBe(404);
    // Revoked: nothing, from the next request on.
    await owner('DELETE', `/api/shares/${link.id}?site=example.com`);
    for (const file of FILES) expect(await asset(token, file), file).toEqual(refused(404, 'share_not_found'));

    // Protected: the password form's stylesheet, and nothing else before the password.
    const locked = await share({ site: 'example.com', password: 'open sesame' });
    expect(await (await request(`/share/${locked.token}`)).text()).toContain(`href="/share/${locked.token}/ui/style.css"`);
    expect((await asset(locked.token, 'style.css')).status).toBe(200);
    for (const file of FILES.filter((f) => f !== 'style.css'))
      expect(await asset(locked.token, file), file).toEqual(refused(401, 'password_required'));
    const cookie = { cookie: (await unlock(locked.token, 'open sesame')).headers.get('set-cookie')!.split(';')[0]! };
    for (const file of FILES) expect((await asset(locked.token, file, cookie)).status, file).toBe(200);
    await owner('DELETE', `/api/shares/${locked.share.id}?site=example.com`);
    for (const file of ['style.css', 'app.js'])
      expect(await asset(locked.token, file, cookie), file).toEqual(refused(404, 'share_not_found'));
  });

  it('may be framed, embedded, only by the origins its owner listed; every other page by no one', async () => {
    const { token } = await share({ site: 'example.com', embed_origins: ['https://Blog.example.org/', 'http://localhost:3000'] });
    const page = await request(`/share/${token}?embed=1`);
    expect(await page.text()).toContain('<body class="shared embed">');
    expect(page.headers.get('content-security-policy')).toMatch(/; frame-ancestors https:\/\/blog\.example\.org http:\/\/localhost:3000$/);
    expect(page.headers.get('x-frame-options')).toBeNull();
    const plain = await share({ site: 'example.com' });
    for (const path of [
      `/share/${plain.token}?embed=1`,
      '/login',
      '/',
      `/share/${token}/api/stats/pages?${VIEW}`,
      `/share/${'x'.repeat(32)}`,
    ]) {
      const res = await request(path, { headers: path === '/' ? { cookie: d.cookie } : {} });
      expect([res.headers.get('x-frame-options'), res.headers.get('content-security-policy')], path).toEqual([
        'DENY',
        expect.stringMatching(/frame-ancestors 'none'$/),
      ]);
    }
  });

  it.each([
    ['an origin with a path', { embed_origins: ['https://blog.example.org/post'] }, /is not an origin/],
    ['a script as origin', { embed_origins: ['javascript:alert(1)'] }, /is not an origin/],
    ['eleven origins', { embed_origins: Array.from({ length: 11 }, (_, i) => `https://e${i}.example`) }, /at most 10/],
    ['a short password', { password: 'short' }, /8 to 200 characters/],
    ['an unknown field', { expires: '2030-01-01' }, /unknown field: expires/],
    ['a long label', { label: 'l'.repeat(101) }, /at most 100 characters/],
  ])('refuses a link with %s', async (_, extra, message) => {
    const { status, body } = await json(owner('POST', '/api/shares', { site: 'example.com', ...extra }));
    expect([status, body.error]).toEqual([400, 'invalid_link']);
    expect(body.message).toMatch(message);
  });

  it('lets an API token list links but not make or revoke them; unknown tokens open nothing', async () => {
    const token = { authorization: `Bearer ${API_TOKEN}` };
    expect((await request('/api/shares?site=example.com', { headers: token })).status).toBe(200);
    expect(
      (
        await json(
          request('/api/shares', {
            method: 'POST',
            headers: { ...token, 'content-type': 'application/json' },
            body: '{"site":"example.com"}',
          }),
        )
      ).body.error,
    ).toBe('login_required');
    expect((await request('/api/shares?site=example.com')).status).toBe(401);
    for (const t of ['A'.repeat(32), 'short', '../../etc']) expect((await request(`/share/${t}`)).status, t).toBe(404);
  });
});
