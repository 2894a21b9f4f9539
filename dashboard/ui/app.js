/* Scalehouse dashboard: plain JavaScript, no build step. Reads the named
 * queries of /api/stats in one batched request per refresh, draws with uPlot
 * (served by Scalehouse itself), refreshes every 5 seconds while the range
 * ends now and the tab is visible. The whole view (site, range, filters,
 * comparison, bots or people, realtime) lives in the URL: a reload, a
 * bookmark or a shared link shows the same view, and back/forward step
 * through the views. Clicking a row or a status class sets a filter. */
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat();
  const PRESETS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000, '30d': 2_592_000_000, '90d': 7_776_000_000 };
  const DEFAULT_PRESET = '24h';
  const FILTERS = ['page', 'entry', 'channel', 'device', 'country', 'status'];
  const COMPARE_LABELS = { previous: 'previous period', year: 'a year before (52 weeks)' };
  // "A year before" is 52 weeks back, as the API compares (same weekdays).
  const YEAR_BEFORE_MS = 364 * 86_400_000;
  const state = {
    site: '',
    preset: DEFAULT_PRESET,
    from: null,
    to: null,
    filters: {},
    compare: 'previous',
    traffic: 'humans',
    event: '',
    view: 'overview',
    charts: {},
    /** The range of the view as last refreshed: {from, to, live, moved}. */
    window: null,
    get rangeMs() {
      return this.from !== null ? this.to - this.from : PRESETS[this.preset];
    },
  };
  let sites = [];
  // The panels that can show what bots did instead of people.
  const bots = () => (state.traffic === 'bots' ? { traffic: 'bots' } : {});
  const comparison = () => (state.compare === 'none' ? {} : { compare: state.compare });
  let timer = 0;
  let generation = 0;

  // ---- the view's range --------------------------------------------------

  const lastSeen = (name) => {
    const site = sites.find((s) => s.site === name);
    return site ? Date.parse(site.last_seen) + 60_000 : null;
  };

  /** A custom range as given; a preset ends now — or, for a site whose data ends before it (an imported log), at its latest hit. */
  function viewWindow() {
    if (state.from !== null) return { from: state.from, to: state.to, live: false, moved: false };
    const ms = PRESETS[state.preset];
    const last = lastSeen(state.site);
    if (last !== null && last < Date.now() - ms) return { from: last - ms, to: last, live: false, moved: true };
    const now = Date.now();
    return { from: now - ms, to: now, live: true, moved: false };
  }

  // ---- the URL -------------------------------------------------------------

  function toUrl() {
    const q = new URLSearchParams();
    if (state.site) q.set('site', state.site);
    if (state.view === 'realtime') q.set('view', 'realtime');
    if (state.from !== null) {
      q.set('from', new Date(state.from).toISOString());
      q.set('to', new Date(state.to).toISOString());
    } else if (state.preset !== DEFAULT_PRESET) q.set('range', state.preset);
    for (const k of FILTERS) if (state.filters[k]) q.set(k, state.filters[k]);
    if (state.compare !== 'previous') q.set('compare', state.compare);
    if (state.traffic === 'bots') q.set('traffic', 'bots');
    if (state.event) q.set('event', state.event);
    const search = q.toString();
    return `${location.pathname}${search ? `?${search}` : ''}`;
  }

  /** The view the URL describes; anything unknown or malformed in it is left at its default. */
  function fromUrl() {
    const q = new URLSearchParams(location.search);
    state.site = q.get('site') || '';
    state.view = q.get('view') === 'realtime' ? 'realtime' : 'overview';
    const from = Date.parse(q.get('from') || '');
    const to = Date.parse(q.get('to') || '');
    [state.from, state.to] = Number.isFinite(from) && Number.isFinite(to) && from < to ? [from, to] : [null, null];
    const range = q.get('range');
    state.preset = range && Object.hasOwn(PRESETS, range) ? range : DEFAULT_PRESET;
    state.filters = {};
    for (const k of FILTERS) if (q.get(k)) state.filters[k] = q.get(k);
    const compare = q.get('compare');
    state.compare = compare === 'none' || compare === 'year' ? compare : 'previous';
    state.traffic = q.get('traffic') === 'bots' ? 'bots' : 'humans';
    state.event = q.get('event') || '';
  }

  /** A change the user made: a new entry in the history, then the view. */
  function navigate() {
    const url = toUrl();
    if (url !== location.pathname + location.search) history.pushState(null, '', url);
    show();
  }

  window.addEventListener('popstate', () => {
    fromUrl();
    chooseKnownSite();
    show();
  });

  // ---- talking to the API ----------------------------------------------------

  async function get(url) {
    const res = await fetch(url);
    if (res.status === 401) {
      location.href = '/login';
      throw new Error('login required');
    }
    const body = await res.json();
    if (!res.ok) throw new Error(body.message || res.statusText);
    return body;
  }

  const params = () => {
    const q = new URLSearchParams({
      site: state.site,
      from: new Date(state.window.from).toISOString(),
      to: new Date(state.window.to).toISOString(),
    });
    for (const [k, v] of Object.entries(state.filters)) q.set(k, v);
    return q;
  };

  // Panels ask for their query with api(); a refresh sends every query asked for in one batch (flush).
  let queue = null;
  function api(name, extra = {}, withSite = true) {
    if (!withSite) return get(`/api/stats/${name}?${new URLSearchParams(extra)}`);
    return new Promise((resolve, reject) => (queue ??= []).push({ name, extra, resolve, reject }));
  }

  /** One request for every queued query: common parameters once, a panel's own as NAME.param. */
  async function flush(gen) {
    const batch = queue || [];
    queue = null;
    if (!batch.length) return;
    const q = params();
    const common = new URLSearchParams(q);
    q.set('queries', batch.map((b) => b.name).join(','));
    for (const { name, extra } of batch) for (const [k, v] of Object.entries(extra)) if (common.get(k) !== v) q.set(`${name}.${k}`, v);
    try {
      const { results } = await get(`/api/stats/batch?${q}`);
      for (const b of batch) {
        const r = results[b.name];
        // A newer refresh started meanwhile: its figures are the ones to show.
        if (gen !== generation) b.reject(new Error('superseded'));
        else if (!r || r.error) b.reject(new Error(r ? r.message : 'no answer'));
        else b.resolve(r);
      }
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  // ---- drawing -------------------------------------------------------------

  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const duration = (s) => (s >= 60 ? `${Math.floor(s / 60)}m ${Math.round(s % 60)}s` : `${Math.round(s)}s`);
  // Unknown is not zero: a figure the source does not have (no timing, no beacon) shows as a dash.
  const num = (x) => (x === null || x === undefined ? '—' : fmt.format(x));
  const known = (f) => (x) => (x === null || x === undefined ? '—' : f(x));
  /** Paths are stored as requested (percent-encoded): shown decoded, or as they are when not valid UTF-8 escapes. */
  const decodePath = (p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  };
  /** Shortened in the middle, so both the start of a path and its last segment show. */
  const middle = (s, max) =>
    s.length <= max ? s : `${s.slice(0, Math.ceil((max - 1) * 0.45))}…${s.slice(s.length - Math.floor((max - 1) * 0.55))}`;

  /** cols: [key, label, format?, explanation?]; the first column names the row. Tables marked data-paths name paths. */
  function table(id, rows, cols, filterValue) {
    const el = $(id);
    if (!rows.length) {
      el.innerHTML = '<tr><td class="empty">No data in this range</td></tr>';
      return;
    }
    const paths = el.hasAttribute('data-paths');
    const names = rows.map((r) => (r[cols[0][0]] === '' ? '(none)' : paths ? decodePath(r[cols[0][0]]) : r[cols[0][0]]));
    const max = Math.max(...rows.map((r) => Number(r[cols[1][0]]) || 0), 1);
    el.innerHTML = `<thead><tr>${cols.map(([, label, , help], i) => `<th class="${i ? 'num' : ''}"${help ? ` title="${esc(help)}"` : ''}>${label}</th>`).join('')}</tr></thead><tbody>${rows
      .map((r, i) => {
        const width = (100 * (Number(r[cols[1][0]]) || 0)) / max;
        return `<tr data-value="${esc(filterValue ? filterValue(r) : r[cols[0][0]])}"><td class="name bar-cell" title="${esc(names[i])}"><span class="fill" style="width:${width}%"></span><span class="text">${esc(names[i])}</span></td>${cols
          .slice(1)
          .map(([k, , f]) => `<td class="num">${f ? f(r[k]) : num(r[k])}</td>`)
          .join('')}</tr>`;
      })
      .join('')}</tbody>`;
    if (!paths) return;
    // Paths too long for their column lose their middle, so the start and the last segment both show.
    el.querySelectorAll('td.name').forEach((td, i) => {
      const span = td.querySelector('.text');
      const room = td.clientWidth - 14;
      if (span.offsetWidth <= room) return;
      // Characters differ in width: start from the average, take off more while it still does not fit.
      let keep = Math.floor((names[i].length * room) / span.offsetWidth);
      do span.textContent = middle(names[i], keep--);
      while (span.offsetWidth > room && keep > 8);
    });
  }

  function setFilter(key, value) {
    if (!value || value === '(none)') return;
    state.filters[key] = value;
    navigate();
  }

  function renderFilters() {
    const el = $('filters');
    el.innerHTML = Object.entries(state.filters)
      .map(
        ([k, v]) =>
          `<button class="chip" data-key="${esc(k)}" title="Remove filter">${esc(k)}: ${esc(k === 'page' || k === 'entry' ? decodePath(v) : v)} ✕</button>`,
      )
      .join('');
  }

  function kpi(label, value, now, before, invert, note = '') {
    let delta = '';
    if (before !== undefined && before !== null && typeof now === 'number') {
      const against = `against the ${COMPARE_LABELS[state.compare] || 'previous period'}`;
      if (before === 0) delta = now > 0 ? `<span class="delta up" title="${esc(against)}">new</span>` : '';
      else {
        const change = (now - before) / before;
        const good = invert ? change < 0 : change > 0;
        delta = `<span class="delta ${good ? 'up' : 'down'}" title="${esc(against)}">${change >= 0 ? '▲' : '▼'} ${Math.abs(change * 100).toFixed(0)}%</span>`;
      }
    }
    return `<div class="kpi"><div class="label">${label}</div><div class="value">${value}</div>${delta}${note ? `<span class="delta">${esc(note)}</span>` : ''}</div>`;
  }

  /** The x axis always spans the range asked for, so a single point does not stretch it. */
  function xRange(now) {
    if (now) return [(Date.now() - state.rangeMs) / 1000, Date.now() / 1000];
    return [state.window.from / 1000, state.window.to / 1000];
  }

  function chart(id, data, series, opts = {}, now = false, empty = 'No data in this range') {
    const el = $(id);
    const width = Math.max(el.clientWidth, 280);
    if (state.charts[id]) state.charts[id].destroy();
    if (!data[0].length) {
      el.innerHTML = `<div class="empty">${empty}</div>`;
      state.charts[id] = null;
      return;
    }
    el.innerHTML = '';
    const [min, max] = xRange(now);
    state.charts[id] = new uPlot(
      {
        width,
        height: 220,
        series: [{}, ...series],
        axes: [{}, { size: 60 }],
        scales: { x: { time: true, range: () => [min, max] } },
        legend: { live: false },
        ...opts,
      },
      data,
      el,
    );
  }

  const COLORS = ['#2f6fed', '#2e9d5b', '#d9822b', '#d64545', '#8e5cd9', '#6b7480'];
  const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

  async function refresh() {
    clearTimeout(timer);
    const gen = ++generation;
    renderFilters();
    if (!state.site || state.view !== 'overview') return;
    state.window = viewWindow();
    const jobs = [
      api('overview', comparison()).then(({ data }) => {
        const c = data.current || {};
        const p = data.previous || {};
        const errRate = c.hits ? (c.errors_4xx + c.errors_5xx) / c.hits : 0;
        const pErr = p.hits ? (p.errors_4xx + p.errors_5xx) / p.hits : null;
        $('kpis').innerHTML = [
          kpi('Unique visitors', fmt.format(c.visitors ?? 0), c.visitors, p.visitors),
          kpi('Visits', fmt.format(c.visits ?? 0), c.visits, p.visits),
          kpi('Pageviews', fmt.format(c.pageviews ?? 0), c.pageviews, p.pageviews),
          kpi('Bounce rate', pct(c.bounce_rate ?? 0), c.bounce_rate, p.bounce_rate, true),
          kpi('Time on site', duration(c.avg_duration_s ?? 0), c.avg_duration_s, p.avg_duration_s),
          // Null when the range ends more than 5 minutes ago: "now" is not in it.
          data.current_visitors === null
            ? kpi('Current visitors', '—', undefined, undefined, false, 'this range ended in the past')
            : kpi('Current visitors', fmt.format(data.current_visitors)),
          kpi('Error rate', pct(errRate), errRate, pErr, true),
          kpi('Bot hits', fmt.format(c.bot_hits ?? 0)),
          // Only where the beacon runs: the pageviews JavaScript-only analytics would not have seen.
          ...(c.beacon_pageviews > 0 ? [kpi('Seen only in logs', pct(c.log_only_pageviews / Math.max(c.pageviews, 1)))] : []),
        ].join('');
      }),
      api('timeseries', comparison()).then(({ data }) => {
        const cur = data.current;
        const prev = data.previous || [];
        // The compared period's points, moved onto the range's time axis.
        const shift = (state.compare === 'year' ? YEAR_BEFORE_MS : state.rangeMs) / 1000;
        const xs = cur.map((r) => r.t);
        const prevBy = new Map(prev.map((r) => [r.t + shift, r]));
        chart(
          'chart-traffic',
          [
            xs,
            cur.map((r) => r.visitors),
            cur.map((r) => r.pageviews),
            ...(data.previous ? [xs.map((t) => prevBy.get(t)?.pageviews ?? null)] : []),
          ],
          [
            { label: 'Visitors', stroke: COLORS[0], width: 2 },
            { label: 'Pageviews', stroke: COLORS[1], width: 2 },
            ...(data.previous ? [{ label: `Pageviews, ${COMPARE_LABELS[state.compare]}`, stroke: COLORS[1], dash: [6, 4], width: 1 }] : []),
          ],
        );
        chart(
          'chart-bots',
          [xs, cur.map((r) => r.hits), cur.map((r) => r.bot_hits)],
          [
            { label: 'Human hits', stroke: COLORS[0], width: 2 },
            { label: 'Bot hits', stroke: COLORS[5], width: 2 },
          ],
        );
      }),
      api('heatmap').then(({ data }) => {
        const cells = new Map(data.map((r) => [`${r.weekday}-${r.hour}`, r.pageviews]));
        const max = Math.max(1, ...data.map((r) => r.pageviews));
        // A row of hours on top (every sixth labelled), then a row per weekday.
        let html = '<span class="lbl"></span>';
        for (let h = 0; h < 24; h++) html += `<span class="lbl hour">${h % 6 === 0 ? h : ''}</span>`;
        for (let d = 1; d <= 7; d++) {
          html += `<span class="lbl">${DAYS[d - 1]}</span>`;
          for (let h = 0; h < 24; h++) {
            const v = cells.get(`${d}-${h}`) || 0;
            html += `<div title="${DAYS[d - 1]} ${h}:00 — ${v} pageviews" style="background:rgba(47,111,237,${v ? 0.12 + 0.88 * (v / max) : 0.04})"></div>`;
          }
        }
        $('heatmap').innerHTML = html;
      }),
      api('pages', bots()).then(({ data }) => {
        const beacon = data.some((r) => r.beacon_pageviews > 0);
        table('pages', data, [
          ['path', 'Page'],
          ['pageviews', 'Views'],
          ['hits', 'Hits'],
          [
            'avg_time_ms',
            'Server time (ms)',
            null,
            'Mean time the server took to answer (access logs that record $request_time); — where none do',
          ],
          ...(beacon
            ? [
                [
                  'log_only_pageviews',
                  'Seen only in logs',
                  null,
                  'Pageviews the beacon never reported: ad blockers, no JavaScript, left before the page loaded',
                ],
                ['avg_engaged_s', 'Time on page', known(duration), 'Engaged time the beacon measured, per pageview it saw'],
              ]
            : []),
        ]);
      }),
      api('entry-pages').then(({ data }) =>
        table('entry-pages', data, [
          ['value', 'Entry page'],
          ['visits', 'Visits'],
          ['bounce_rate', 'Bounce', pct],
        ]),
      ),
      api('non-page-referrers').then(({ data }) =>
        table('non-page-referrers', data, [
          ['value', 'Referrer'],
          ['sessions', 'Sessions'],
          ['hits', 'Hits'],
        ]),
      ),
      api('custom-events').then(({ data }) =>
        table('custom-events', data, [
          ['value', 'Event'],
          ['events', 'Count'],
          ['visitors', 'Visitors'],
        ]),
      ),
      state.event
        ? api('custom-event-props', { event: state.event }).then(({ data }) => {
            table(
              'custom-event-props',
              data,
              [
                ['key', `Properties of ${esc(state.event)}`],
                ['events', 'Count'],
              ],
              (r) => r.key,
            );
            $('custom-event-props')
              .querySelectorAll('td.name .text')
              .forEach((el, i) => (el.textContent = `${data[i].key} = ${data[i].value}`));
          })
        : Promise.resolve().then(() => {
            $('custom-event-props').innerHTML = '';
          }),
      api('custom-events-timeseries').then(({ data }) => {
        const xs = [...new Set(data.map((r) => r.t))].sort((a, b) => a - b);
        const names = [...new Set(data.map((r) => r.value))].slice(0, 6);
        chart(
          'chart-events',
          [xs, ...names.map((n) => xs.map((t) => data.find((r) => r.t === t && r.value === n)?.events ?? 0))],
          names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length] })),
        );
      }),
      api('exit-pages').then(({ data }) =>
        table('exit-pages', data, [
          ['value', 'Exit page'],
          ['visits', 'Visits'],
        ]),
      ),
      api('channels').then(({ data }) =>
        table('channels', data, [
          ['value', 'Channel'],
          ['visits', 'Visits'],
          ['bounce_rate', 'Bounce', pct],
          ['avg_duration_s', 'Time on site', duration, 'Mean visit duration (engaged time where the beacon ran)'],
        ]),
      ),
      api('referrers').then(({ data }) =>
        table(
          'referrers',
          data.filter((r) => r.value),
          [
            ['value', 'Referrer'],
            ['visits', 'Visits'],
          ],
        ),
      ),
      api('utm-sources').then(({ data }) =>
        table(
          'utm-sources',
          data.filter((r) => r.value),
          [
            ['value', 'utm_source'],
            ['visits', 'Visits'],
          ],
        ),
      ),
      api('utm-campaigns').then(({ data }) =>
        table(
          'utm-campaigns',
          data.filter((r) => r.value),
          [
            ['value', 'utm_campaign'],
            ['visits', 'Visits'],
          ],
        ),
      ),
      api('browsers').then(({ data }) =>
        table('browsers', data, [
          ['value', 'Browser'],
          ['visits', 'Visits'],
        ]),
      ),
      api('os').then(({ data }) =>
        table('os', data, [
          ['value', 'OS'],
          ['visits', 'Visits'],
        ]),
      ),
      api('devices').then(({ data }) =>
        table('devices', data, [
          ['value', 'Device'],
          ['visits', 'Visits'],
        ]),
      ),
      api('countries').then(({ data }) =>
        table('countries', data, [
          ['value', 'Country'],
          ['visits', 'Visits'],
        ]),
      ),
      api('status', bots()).then(({ data }) => {
        const xs = data.map((r) => r.t);
        chart(
          'chart-status',
          [
            xs,
            data.map((r) => r.s2xx),
            data.map((r) => r.s3xx),
            data.map((r) => r.s4xx),
            data.map((r) => r.s5xx),
            data.map((r) => r.error_rate * 100),
          ],
          [
            { label: '2xx', stroke: COLORS[1] },
            { label: '3xx', stroke: COLORS[4] },
            { label: '4xx', stroke: COLORS[2] },
            { label: '5xx', stroke: COLORS[3] },
            { label: 'error rate %', stroke: COLORS[5], dash: [4, 3], scale: '%' },
          ],
          { axes: [{}, { size: 60 }, { scale: '%', side: 1, size: 40, grid: { show: false } }] },
        );
        $('status-chips').innerHTML = ['2xx', '3xx', '4xx', '5xx']
          .map((s) => `<button class="chip ${state.filters.status === s ? '' : 'off'}" data-status="${s}">${s}</button>`)
          .join('');
      }),
      api('failing-paths', bots()).then(({ data }) =>
        table('failing-paths', data, [
          ['path', 'Path'],
          ['errors_5xx', '5xx'],
          ['errors_4xx', '4xx'],
        ]),
      ),
      api('response-times').then(({ data }) => {
        chart(
          'chart-rt',
          [data.map((r) => r.t), data.map((r) => r.q[0]), data.map((r) => r.q[1]), data.map((r) => r.q[2])],
          [
            { label: 'p50', stroke: COLORS[1] },
            { label: 'p90', stroke: COLORS[2] },
            { label: 'p99', stroke: COLORS[3] },
          ],
          {},
          false,
          'No data: no hit in this range carries a response time (the combined log format has none; see docs/nginx.md)',
        );
      }),
      api('bots').then(({ data }) =>
        table('bots', data, [
          ['bot', 'Bot'],
          ['hits', 'Hits'],
          ['errors', 'Errors'],
        ]),
      ),
      api('bot-reasons').then(({ data }) =>
        table('bot-reasons', data, [
          ['reason', 'Why a bot'],
          ['hits', 'Hits'],
          ['bots', 'Names'],
        ]),
      ),
      // Alerts as of now: what fires, and what fired or recovered in the range.
      api('alerts', { from: String(Date.now() - state.rangeMs), to: String(Date.now()) }).then(({ data }) =>
        table(
          'alerts',
          data.map((a) => ({
            ...a,
            when: new Date(a.state === 'firing' ? a.fired_at : a.resolved_at).toLocaleString(),
            status: a.state === 'firing' ? 'firing' : 'recovered',
          })),
          [
            ['summary', 'Alert'],
            ['status', 'State', esc],
            ['when', 'Since', esc],
          ],
        ),
      ),
      // The pipeline works now, whatever period the site's data is from.
      api('pipeline', { from: String(Date.now() - state.rangeMs), to: String(Date.now()) }).then((body) => {
        const rows = body.data;
        const ts = [...new Set(rows.map((r) => r.t))].sort((a, b) => a - b);
        const series = (outcome) => ts.map((t) => rows.filter((r) => r.t === t && r.outcome === outcome).reduce((n, r) => n + r.n, 0));
        chart(
          'chart-pipeline',
          [ts, series('event'), series('dropped'), series('dead_letter')],
          [
            { label: 'Loaded', stroke: COLORS[1] },
            { label: 'Dropped (bots, opt-out)', stroke: COLORS[5] },
            { label: 'Dead letters', stroke: COLORS[3] },
          ],
          {},
          true,
        );
        const total = (o) => rows.filter((r) => r.outcome === o).reduce((n, r) => n + r.n, 0);
        $('pipeline-kpis').innerHTML = [
          kpi('Loaded', fmt.format(total('event'))),
          kpi('Dropped', fmt.format(total('dropped'))),
          kpi('Dead letters', fmt.format(total('dead_letter'))),
          kpi('Bus lag', body.bus ? fmt.format(body.bus.lag) : '–'),
        ].join('');
        const reasons = {};
        for (const r of rows.filter((x) => x.outcome === 'dead_letter')) reasons[r.reason] = (reasons[r.reason] || 0) + r.n;
        table(
          'dead-letters',
          Object.entries(reasons).map(([reason, n]) => ({ reason, n })),
          [
            ['reason', 'Dead letter reason'],
            ['n', 'Count'],
          ],
        );
      }),
      // Goals and funnels, drawn by goals.js, in the same batch.
      ...(window.scalehouseGoals ? window.scalehouseGoals.jobs(api) : []),
    ];
    await flush(gen);
    const results = await Promise.allSettled(jobs);
    if (gen !== generation) return;
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length)
      console.warn(
        'some panels failed',
        failed.map((f) => f.reason?.message),
      );
    document.body.dataset.loaded = String(Date.now());
    schedule();
  }

  // A refresh that fails outside its panels (the URL's view, the filters) is told on the console as they are.
  const warnRefreshFailed = (err) => console.warn('refresh failed', err?.message);

  /** The next refresh, while the range ends now and someone can see the page (a hidden tab refreshes when shown again). */
  function schedule() {
    clearTimeout(timer);
    if (state.view === 'overview' && state.window?.live && document.visibilityState === 'visible')
      timer = setTimeout(() => refresh().catch(warnRefreshFailed), 5000);
  }

  // ---- realtime ------------------------------------------------------------

  let live = null;
  function startRealtime() {
    stopRealtime();
    if (!state.site || state.view !== 'realtime' || document.visibilityState !== 'visible') return;
    const source = new EventSource(`/api/realtime?site=${encodeURIComponent(state.site)}`);
    live = source;
    $('rt-status').textContent = 'connecting…';
    source.addEventListener('snapshot', (e) => renderRealtime(JSON.parse(e.data)));
    source.addEventListener('problem', (e) => {
      $('rt-status').textContent = `cannot read: ${JSON.parse(e.data).error}`;
    });
    source.onerror = () => {
      // EventSource reconnects by itself; a refusal (the login expired) closes it for good.
      if (source.readyState !== EventSource.CLOSED) {
        $('rt-status').textContent = 'reconnecting…';
        return;
      }
      $('rt-status').textContent = 'disconnected';
      get('/api/stats').catch(() => undefined);
    };
  }
  function stopRealtime() {
    if (live) live.close();
    live = null;
  }

  function renderRealtime(s) {
    $('rt-visitors').textContent = fmt.format(s.visitors);
    $('rt-status').textContent = `updated ${new Date(s.now).toLocaleTimeString()}`;
    const el = $('rt-hits');
    if (!s.hits.length) el.innerHTML = '<tr><td class="empty">No pageviews or events in the last hour</td></tr>';
    else {
      const budget = Math.max(16, Math.floor(((el.clientWidth || 320) * 0.45) / 7));
      el.innerHTML = `<thead><tr><th>Time</th><th>Page</th><th>From</th><th>Country</th><th>Device</th></tr></thead><tbody>${s.hits
        .map((h) => {
          const path = decodePath(h.path);
          const what = h.event ? `${h.event} on ${path}` : path;
          const from = h.referrer ? `${h.channel} · ${h.referrer}` : h.channel;
          return (
            `<tr><td class="time">${esc(new Date(h.t).toLocaleTimeString())}</td><td class="name" title="${esc(what)}">${h.event ? `<span class="tag">${esc(h.event)}</span> ` : ''}${esc(middle(path, budget))}</td>` +
            `<td>${esc(from || '—')}</td><td>${esc(h.country || '—')}</td><td>${esc([h.device, h.browser].filter(Boolean).join(', ') || '—')}</td></tr>`
          );
        })
        .join('')}</tbody>`;
    }
    document.body.dataset.realtime = String(s.now);
  }

  // ---- the controls, from the state ----------------------------------------------

  const toLocalInput = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

  function syncControls() {
    const custom = state.from !== null;
    document
      .querySelectorAll('.ranges button[data-range]')
      .forEach((b) => b.classList.toggle('on', !custom && b.dataset.preset === state.preset));
    $('custom').classList.toggle('on', custom);
    const w = viewWindow();
    $('from').value = toLocalInput(w.from);
    $('to').value = toLocalInput(w.to);
    $('compare').value = state.compare;
    document.querySelectorAll('#traffic button').forEach((b) => b.classList.toggle('on', b.dataset.traffic === state.traffic));
    document.querySelectorAll('.traffic-note').forEach((n) => (n.textContent = state.traffic === 'bots' ? '— bots' : ''));
    document.querySelectorAll('#views button').forEach((b) => b.classList.toggle('on', b.dataset.view === state.view));
    document.body.classList.toggle('view-realtime', state.view === 'realtime');
    $('realtime').hidden = state.view !== 'realtime';
    $('compare-note').textContent = state.compare === 'none' ? '' : `(dashed: ${COMPARE_LABELS[state.compare]})`;
    $('live').classList.toggle('on', state.view === 'realtime' || w.live);
    $('notice').hidden = !(state.view === 'overview' && w.moved);
    if (w.moved)
      $('notice').textContent =
        `Showing the latest data for ${state.site}, up to ${new Date(w.to).toISOString().slice(0, 16).replace('T', ' ')} UTC.`;
  }

  /** Shows the view the state describes. */
  function show() {
    syncControls();
    if (state.view === 'realtime') {
      clearTimeout(timer);
      generation++;
      startRealtime();
    } else {
      stopRealtime();
      refresh().catch(warnRefreshFailed);
    }
  }

  /** A site the URL names, if there is data for it; else the busiest. */
  function chooseKnownSite() {
    const site = sites.find((s) => s.site === state.site) || sites[0];
    state.site = site ? site.site : '';
    $('site').value = state.site;
  }

  async function start() {
    fromUrl();
    ({ data: sites } = await api('sites', {}, false));
    $('site').innerHTML =
      sites.map((s) => `<option value="${esc(s.site)}">${esc(s.site)}</option>`).join('') || '<option value="">(no data yet)</option>';
    chooseKnownSite();
    if (!state.site) {
      $('notice').hidden = false;
      $('notice').textContent =
        'No traffic yet. Send a beacon, post log lines to /api/logs, or import a log with `npx scalehouse replay FILE`.';
      return;
    }
    // The URL as it will be reloaded: the site chosen, values it had that were not understood dropped.
    history.replaceState(null, '', toUrl());
    show();
  }

  $('site').onchange = () => {
    state.site = $('site').value;
    state.event = '';
    navigate();
  };
  $('compare').onchange = () => {
    state.compare = $('compare').value;
    navigate();
  };
  $('custom').addEventListener('submit', (e) => {
    e.preventDefault();
    // datetime-local values are in the browser's time zone; the URL and the API get UTC.
    const from = new Date($('from').value).getTime();
    const to = new Date($('to').value).getTime();
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
      $('from').setCustomValidity('The start must be before the end');
      $('from').reportValidity();
      return;
    }
    $('from').setCustomValidity('');
    [state.from, state.to] = [from, to];
    navigate();
  });
  $('from').addEventListener('input', () => $('from').setCustomValidity(''));

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') {
      clearTimeout(timer);
      stopRealtime();
    } else if (state.view === 'realtime') startRealtime();
    else if (state.window?.live) refresh().catch(warnRefreshFailed);
  });

  document.addEventListener('click', (e) => {
    const t = e.target.closest('button, tr');
    if (!t) return;
    if (t.matches('.ranges button[data-range]')) {
      state.preset = t.dataset.preset;
      state.from = state.to = null;
      navigate();
    } else if (t.matches('#traffic button')) {
      state.traffic = t.dataset.traffic;
      navigate();
    } else if (t.matches('#views button')) {
      state.view = t.dataset.view;
      navigate();
    } else if (t.matches('#filters .chip')) {
      delete state.filters[t.dataset.key];
      navigate();
    } else if (t.matches('#status-chips .chip')) {
      if (state.filters.status === t.dataset.status) delete state.filters.status;
      else state.filters.status = t.dataset.status;
      navigate();
    } else if (t.matches('table[data-select="event"] tbody tr') && t.dataset.value !== undefined) {
      state.event = state.event === t.dataset.value ? '' : t.dataset.value;
      navigate();
    } else if (t.matches('table[data-filter] tbody tr') && t.dataset.value !== undefined) {
      setFilter(t.closest('table').dataset.filter, t.dataset.value);
    }
  });

  start().catch((err) => {
    $('notice').hidden = false;
    $('notice').textContent = `Cannot load: ${err.message}`;
  });
})();
