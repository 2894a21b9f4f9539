/* Scalehouse dashboard: plain JavaScript, no build step. Reads /api/stats/*,
 * draws with uPlot (served by Scalehouse itself), refreshes every 5 seconds
 * while the range ends now. Clicking a row or a status class sets a filter. */
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat();
  const state = { site: '', rangeMs: 86_400_000, end: null, filters: {}, charts: {}, traffic: 'humans', event: '' };
  // The panels that can show what bots did instead of people.
  const bots = () => (state.traffic === 'bots' ? { traffic: 'bots' } : {});
  let timer = 0;

  const params = (extra) => {
    const to = state.end ?? Date.now();
    const q = new URLSearchParams({ site: state.site, from: String(to - state.rangeMs), to: String(to), ...extra });
    for (const [k, v] of Object.entries(state.filters)) q.set(k, v);
    return q;
  };

  async function api(name, extra = {}, withSite = true) {
    const q = withSite ? params(extra) : new URLSearchParams(extra);
    const res = await fetch(`/api/stats/${name}?${q}`);
    if (res.status === 401) { location.href = '/login'; throw new Error('login required'); }
    const body = await res.json();
    if (!res.ok) throw new Error(body.message || res.statusText);
    return body;
  }

  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const duration = (s) => (s >= 60 ? `${Math.floor(s / 60)}m ${Math.round(s % 60)}s` : `${Math.round(s)}s`);
  // Unknown is not zero: a figure the source does not have (no timing, no beacon) shows as a dash.
  const num = (x) => (x === null || x === undefined ? '—' : fmt.format(x));
  const known = (f) => (x) => (x === null || x === undefined ? '—' : f(x));

  function table(id, rows, cols, filterValue) {
    const el = $(id);
    if (!rows.length) { el.innerHTML = '<tr><td class="empty">No data in this range</td></tr>'; return; }
    const max = Math.max(...rows.map((r) => Number(r[cols[1][0]]) || 0), 1);
    el.innerHTML = `<thead><tr>${cols.map(([, label], i) => `<th class="${i ? 'num' : ''}">${label}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => {
      const name = r[cols[0][0]] === '' ? '(none)' : r[cols[0][0]];
      const width = (100 * (Number(r[cols[1][0]]) || 0)) / max;
      return `<tr data-value="${esc(filterValue ? filterValue(r) : r[cols[0][0]])}"><td class="name bar-cell" title="${esc(name)}"><span class="fill" style="width:${width}%"></span><span class="text">${esc(name)}</span></td>${cols.slice(1).map(([k, , f]) => `<td class="num">${f ? f(r[k]) : num(r[k])}</td>`).join('')}</tr>`;
    }).join('')}</tbody>`;
  }

  function setFilter(key, value) {
    if (!value || value === '(none)') return;
    state.filters[key] = value;
    refresh();
  }

  function renderFilters() {
    const el = $('filters');
    el.innerHTML = Object.entries(state.filters).map(([k, v]) => `<button class="chip" data-key="${esc(k)}" title="Remove filter">${esc(k)}: ${esc(v)} ✕</button>`).join('');
  }

  function kpi(label, value, now, before, invert, note = '') {
    let delta = '';
    if (before !== undefined && before !== null && typeof now === 'number') {
      if (before === 0) delta = now > 0 ? '<span class="delta up">new</span>' : '';
      else {
        const change = (now - before) / before;
        const good = invert ? change < 0 : change > 0;
        delta = `<span class="delta ${good ? 'up' : 'down'}">${change >= 0 ? '▲' : '▼'} ${Math.abs(change * 100).toFixed(0)}%</span>`;
      }
    }
    return `<div class="kpi"><div class="label">${label}</div><div class="value">${value}</div>${delta}${note ? `<span class="delta">${esc(note)}</span>` : ''}</div>`;
  }

  /** The x axis always spans the range asked for, so a single point does not stretch it. */
  function xRange(now) {
    const to = now ? Date.now() : state.end ?? Date.now();
    return [(to - state.rangeMs) / 1000, to / 1000];
  }

  function chart(id, data, series, opts = {}, now = false, empty = 'No data in this range') {
    const el = $(id);
    const width = Math.max(el.clientWidth, 280);
    if (state.charts[id]) state.charts[id].destroy();
    if (!data[0].length) { el.innerHTML = `<div class="empty">${empty}</div>`; state.charts[id] = null; return; }
    el.innerHTML = '';
    const [min, max] = xRange(now);
    state.charts[id] = new uPlot({ width, height: 220, series: [{}, ...series], axes: [{}, { size: 60 }], scales: { x: { time: true, range: () => [min, max] } }, legend: { live: false }, ...opts }, data, el);
  }

  const COLORS = ['#2f6fed', '#2e9d5b', '#d9822b', '#d64545', '#8e5cd9', '#6b7480'];

  async function refresh() {
    clearTimeout(timer);
    renderFilters();
    if (!state.site) return;
    const jobs = [
      api('overview', { compare: 'previous' }).then(({ data }) => {
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
      api('timeseries', { compare: 'previous' }).then(({ data }) => {
        const cur = data.current;
        const prev = data.previous || [];
        const shift = state.rangeMs / 1000;
        const xs = cur.map((r) => r.t);
        const prevBy = new Map(prev.map((r) => [r.t + shift, r]));
        chart('chart-traffic', [xs, cur.map((r) => r.visitors), cur.map((r) => r.pageviews), xs.map((t) => prevBy.get(t)?.pageviews ?? null)], [
          { label: 'Visitors', stroke: COLORS[0], width: 2 },
          { label: 'Pageviews', stroke: COLORS[1], width: 2 },
          { label: 'Pageviews, previous period', stroke: COLORS[1], dash: [6, 4], width: 1 },
        ]);
        chart('chart-bots', [xs, cur.map((r) => r.hits), cur.map((r) => r.bot_hits)], [
          { label: 'Human hits', stroke: COLORS[0], width: 2 }, { label: 'Bot hits', stroke: COLORS[5], width: 2 },
        ]);
      }),
      api('heatmap').then(({ data }) => {
        const cells = new Map(data.map((r) => [`${r.weekday}-${r.hour}`, r.pageviews]));
        const max = Math.max(1, ...data.map((r) => r.pageviews));
        const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
        let html = '';
        for (let d = 1; d <= 7; d++) {
          html += `<span class="lbl">${days[d - 1]}</span>`;
          for (let h = 0; h < 24; h++) {
            const v = cells.get(`${d}-${h}`) || 0;
            html += `<div title="${days[d - 1]} ${h}:00 — ${v} pageviews" style="background:rgba(47,111,237,${v ? 0.12 + 0.88 * (v / max) : 0.04})"></div>`;
          }
        }
        $('heatmap').innerHTML = html;
      }),
      api('pages', bots()).then(({ data }) => {
        const beacon = data.some((r) => r.beacon_pageviews > 0);
        table('pages', data, [['path', 'Page'], ['pageviews', 'Views'], ['hits', 'Hits'], ['avg_time_ms', 'ms'],
          ...(beacon ? [['log_only_pageviews', 'Logs only'], ['avg_engaged_s', 'Engaged', known(duration)]] : [])]);
      }),
      api('entry-pages').then(({ data }) => table('entry-pages', data, [['value', 'Entry page'], ['visits', 'Visits'], ['bounce_rate', 'Bounce', pct]])),
      api('non-page-referrers').then(({ data }) => table('non-page-referrers', data, [['value', 'Referrer'], ['sessions', 'Sessions'], ['hits', 'Hits']])),
      api('custom-events').then(({ data }) => table('custom-events', data, [['value', 'Event'], ['events', 'Count'], ['visitors', 'Visitors']])),
      api('custom-event-props', { event: state.event }).then(({ data }) => {
        if (!state.event) { $('custom-event-props').innerHTML = ''; return; }
        table('custom-event-props', data, [['key', `Properties of ${esc(state.event)}`], ['events', 'Count']], (r) => r.key);
        $('custom-event-props').querySelectorAll('td.name .text').forEach((el, i) => (el.textContent = `${data[i].key} = ${data[i].value}`));
      }),
      api('custom-events-timeseries').then(({ data }) => {
        const xs = [...new Set(data.map((r) => r.t))].sort((a, b) => a - b);
        const names = [...new Set(data.map((r) => r.value))].slice(0, 6);
        chart('chart-events', [xs, ...names.map((n) => xs.map((t) => data.find((r) => r.t === t && r.value === n)?.events ?? 0))],
          names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length] })));
      }),
      api('exit-pages').then(({ data }) => table('exit-pages', data, [['value', 'Exit page'], ['visits', 'Visits']])),
      api('channels').then(({ data }) => table('channels', data, [['value', 'Channel'], ['visits', 'Visits'], ['bounce_rate', 'Bounce', pct], ['avg_duration_s', 'Time', duration]])),
      api('referrers').then(({ data }) => table('referrers', data.filter((r) => r.value), [['value', 'Referrer'], ['visits', 'Visits']])),
      api('utm-sources').then(({ data }) => table('utm-sources', data.filter((r) => r.value), [['value', 'utm_source'], ['visits', 'Visits']])),
      api('utm-campaigns').then(({ data }) => table('utm-campaigns', data.filter((r) => r.value), [['value', 'utm_campaign'], ['visits', 'Visits']])),
      api('browsers').then(({ data }) => table('browsers', data, [['value', 'Browser'], ['visits', 'Visits']])),
      api('os').then(({ data }) => table('os', data, [['value', 'OS'], ['visits', 'Visits']])),
      api('devices').then(({ data }) => table('devices', data, [['value', 'Device'], ['visits', 'Visits']])),
      api('countries').then(({ data }) => table('countries', data, [['value', 'Country'], ['visits', 'Visits']])),
      api('status', bots()).then(({ data }) => {
        const xs = data.map((r) => r.t);
        chart('chart-status', [xs, data.map((r) => r.s2xx), data.map((r) => r.s3xx), data.map((r) => r.s4xx), data.map((r) => r.s5xx), data.map((r) => r.error_rate * 100)], [
          { label: '2xx', stroke: COLORS[1] }, { label: '3xx', stroke: COLORS[4] }, { label: '4xx', stroke: COLORS[2] }, { label: '5xx', stroke: COLORS[3] },
          { label: 'error rate %', stroke: COLORS[5], dash: [4, 3], scale: '%' },
        ], { axes: [{}, { size: 60 }, { scale: '%', side: 1, size: 40, grid: { show: false } }] });
        $('status-chips').innerHTML = ['2xx', '3xx', '4xx', '5xx'].map((s) => `<button class="chip ${state.filters.status === s ? '' : 'off'}" data-status="${s}">${s}</button>`).join('');
      }),
      api('failing-paths', bots()).then(({ data }) => table('failing-paths', data, [['path', 'Path'], ['errors_5xx', '5xx'], ['errors_4xx', '4xx']])),
      api('response-times').then(({ data }) => {
        chart('chart-rt', [data.map((r) => r.t), data.map((r) => r.q[0]), data.map((r) => r.q[1]), data.map((r) => r.q[2])], [
          { label: 'p50', stroke: COLORS[1] }, { label: 'p90', stroke: COLORS[2] }, { label: 'p99', stroke: COLORS[3] },
        ], {}, false, 'No data: no hit in this range carries a response time (the combined log format has none; see docs/nginx.md)');
      }),
      api('bots').then(({ data }) => table('bots', data, [['bot', 'Bot'], ['hits', 'Hits'], ['errors', 'Errors']])),
      api('bot-reasons').then(({ data }) => table('bot-reasons', data, [['reason', 'Why a bot'], ['hits', 'Hits'], ['bots', 'Names']])),
      // Alerts as of now: what fires, and what fired or recovered in the range.
      api('alerts', { from: String(Date.now() - state.rangeMs), to: String(Date.now()) }).then(({ data }) => table('alerts', data.map((a) => ({
        ...a, when: new Date(a.state === 'firing' ? a.fired_at : a.resolved_at).toLocaleString(), status: a.state === 'firing' ? 'firing' : 'recovered',
      })), [['summary', 'Alert'], ['status', 'State', esc], ['when', 'Since', esc]])),
      // The pipeline works now, whatever period the site's data is from.
      api('pipeline', { from: String(Date.now() - state.rangeMs), to: String(Date.now()) }).then((body) => {
        const rows = body.data;
        const ts = [...new Set(rows.map((r) => r.t))].sort((a, b) => a - b);
        const series = (outcome) => ts.map((t) => rows.filter((r) => r.t === t && r.outcome === outcome).reduce((n, r) => n + r.n, 0));
        chart('chart-pipeline', [ts, series('event'), series('dropped'), series('dead_letter')], [
          { label: 'Loaded', stroke: COLORS[1] }, { label: 'Dropped (bots, opt-out)', stroke: COLORS[5] }, { label: 'Dead letters', stroke: COLORS[3] },
        ], {}, true);
        const total = (o) => rows.filter((r) => r.outcome === o).reduce((n, r) => n + r.n, 0);
        $('pipeline-kpis').innerHTML = [
          kpi('Loaded', fmt.format(total('event'))), kpi('Dropped', fmt.format(total('dropped'))), kpi('Dead letters', fmt.format(total('dead_letter'))),
          kpi('Bus lag', body.bus ? fmt.format(body.bus.lag) : '–'),
        ].join('');
        const reasons = {};
        for (const r of rows.filter((x) => x.outcome === 'dead_letter')) reasons[r.reason] = (reasons[r.reason] || 0) + r.n;
        table('dead-letters', Object.entries(reasons).map(([reason, n]) => ({ reason, n })), [['reason', 'Dead letter reason'], ['n', 'Count']]);
      }),
    ];
    const results = await Promise.allSettled(jobs);
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length) console.warn('some panels failed', failed.map((f) => f.reason?.message));
    document.body.dataset.loaded = String(Date.now());
    const live = state.end === null;
    $('live').classList.toggle('on', live);
    if (live) timer = setTimeout(refresh, 5000);
  }

  async function chooseSite() {
    const { data } = await api('sites', {}, false);
    const wanted = new URLSearchParams(location.search).get('site');
    $('site').innerHTML = data.map((s) => `<option value="${esc(s.site)}">${esc(s.site)}</option>`).join('') || '<option value="">(no data yet)</option>';
    const site = data.find((s) => s.site === wanted) || data[0];
    if (!site) { $('notice').hidden = false; $('notice').textContent = 'No traffic yet. Send a beacon, post log lines to /api/logs, or import a log with `npx scalehouse replay FILE`.'; return; }
    $('site').value = site.site;
    selectSite(site);
    $('site').onchange = () => selectSite(data.find((s) => s.site === $('site').value));
  }

  function selectSite(site) {
    state.site = site.site;
    // History (a replayed log) ends long ago: show the range that ends at its latest hit.
    const last = Date.parse(site.last_seen.replace(' ', 'T') + 'Z') + 60_000;
    state.end = last < Date.now() - state.rangeMs ? last : null;
    $('notice').hidden = state.end === null;
    if (state.end !== null) $('notice').textContent = `Showing the latest data for ${site.site}, up to ${new Date(last).toISOString().slice(0, 16).replace('T', ' ')} UTC.`;
    refresh();
  }

  document.addEventListener('click', (e) => {
    const t = e.target.closest('button, tr');
    if (!t) return;
    if (t.matches('.ranges button[data-range]')) {
      document.querySelectorAll('.ranges button[data-range]').forEach((b) => b.classList.toggle('on', b === t));
      state.rangeMs = Number(t.dataset.range);
      refresh();
    } else if (t.matches('#traffic button')) {
      document.querySelectorAll('#traffic button').forEach((b) => b.classList.toggle('on', b === t));
      state.traffic = t.dataset.traffic;
      document.querySelectorAll('.traffic-note').forEach((n) => (n.textContent = state.traffic === 'bots' ? '— bots' : ''));
      refresh();
    } else if (t.matches('#filters .chip')) {
      delete state.filters[t.dataset.key];
      refresh();
    } else if (t.matches('#status-chips .chip')) {
      if (state.filters.status === t.dataset.status) delete state.filters.status;
      else state.filters.status = t.dataset.status;
      refresh();
    } else if (t.matches('table[data-select="event"] tbody tr') && t.dataset.value !== undefined) {
      state.event = state.event === t.dataset.value ? '' : t.dataset.value;
      refresh();
    } else if (t.matches('table[data-filter] tbody tr') && t.dataset.value !== undefined) {
      setFilter(t.closest('table').dataset.filter, t.dataset.value);
    }
  });

  chooseSite().catch((err) => { $('notice').hidden = false; $('notice').textContent = `Cannot load: ${err.message}`; });
})();
