/* Scalehouse dashboard: CSV downloads and shared links (no build step).
 * - Every table and chart gets a CSV link: the same named query with the parameters the panel was
 *   last read with (view-bridge.js), as /api/stats/NAME?…&format=csv.
 * - A card lists the site's read-only shared links, makes new ones (optionally with a password, and
 *   the origins that may embed them) and revokes them; not on a shared link's own page. */
(() => {
  'use strict';
  const V = window.scalehouseView;
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  // ---- CSV links ------------------------------------------------------------------

  /** The query each panel shows, by the id of its table or chart. */
  const PANELS = {
    kpis: ['overview'],
    'chart-traffic': ['timeseries'],
    heatmap: ['heatmap'],
    pages: ['pages'],
    'entry-pages': ['entry-pages'],
    'exit-pages': ['exit-pages'],
    channels: ['channels'],
    referrers: ['referrers'],
    'non-page-referrers': ['non-page-referrers'],
    'utm-sources': ['utm-sources', 'utm-campaigns'],
    browsers: ['browsers'],
    os: ['os'],
    devices: ['devices'],
    countries: ['countries'],
    'chart-status': ['status'],
    'failing-paths': ['failing-paths'],
    'chart-rt': ['response-times'],
    'chart-events': ['custom-events-timeseries', 'custom-events', 'custom-event-props'],
    'chart-bots': ['timeseries'],
    bots: ['bots', 'bot-reasons'],
    alerts: ['alerts'],
    'chart-pipeline': ['pipeline'],
  };
  const links = [];
  for (const [id, names] of Object.entries(PANELS)) {
    const el = $(id);
    const h2 = el && (el.closest('.card') || el.closest('section'))?.querySelector('h2');
    const where = h2 || (id === 'kpis' ? document.querySelector('.card.wide h2') : null);
    if (!where) continue;
    for (const name of names) {
      const a = document.createElement('a');
      a.className = 'csv';
      a.download = '';
      a.hidden = true;
      a.dataset.query = name;
      a.textContent = 'CSV';
      a.title = `Download ${name} as CSV, as shown`;
      where.append(' ', a);
      links.push(a);
    }
  }
  // Where a title holds several (the figures above the traffic chart, UTM sources and campaigns), each says which.
  for (const a of links) if (a.parentElement.querySelectorAll('a.csv').length > 1) a.textContent = `CSV: ${a.dataset.query}`;
  function updateLinks() {
    for (const a of links) {
      const q = V.asked(a.dataset.query);
      a.hidden = !q;
      if (q) a.href = `${V.base}/api/stats/${a.dataset.query}?${q}&format=csv`;
    }
  }
  V.onAsk(updateLinks);

  if (V.shared) return;

  // ---- shared links -------------------------------------------------------------------

  const card = document.createElement('section');
  card.className = 'card wide admin-only';
  card.id = 'shares-card';
  card.innerHTML = `<h2>Shared links <small class="muted">(read-only views of this site's dashboard, without a login; revoke one and it opens nothing)</small></h2>
    <details class="editor" id="share-editor"><summary>Show this site's links, or share it</summary>
      <table id="shares"></table>
      <form id="share-form" class="editor-form">
        <input name="label" placeholder="Label, e.g. for the team" aria-label="Label" maxlength="100">
        <input name="password" type="password" placeholder="Password (optional, 8+ characters)" aria-label="Password" autocomplete="new-password" minlength="8" maxlength="200">
        <input name="origins" placeholder="May embed it: https://blog.example.com (optional)" aria-label="Origins that may embed it">
        <button type="submit">Create link</button>
        <p class="error" hidden></p>
      </form>
    </details>
    <div id="share-made" hidden><p>The link — shown once, copy it now (only its digest is kept):</p>
      <input id="share-url" readonly aria-label="Shared link"> <p class="muted small" id="share-embed"></p></div>`;
  document.querySelector('main').append(card);

  let shownSite = '';
  const site = () => V.view()?.get('site') || '';

  async function call(method, url, body) {
    const res = await fetch(url, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(answer.message || res.statusText);
    return answer;
  }

  async function loadShares() {
    const s = site();
    if (!s) return;
    shownSite = s;
    const { shares } = await call('GET', `/api/shares?site=${encodeURIComponent(s)}`);
    $('shares').innerHTML = shares.length
      ? `<thead><tr><th>Label</th><th>Password</th><th>May embed it</th><th>Made</th><th></th></tr></thead><tbody>${shares
          .map(
            (l) =>
              `<tr data-share="${esc(l.id)}"><td class="name">${esc(l.label || '(no label)')}</td><td>${l.has_password ? 'yes' : 'no'}</td><td>${esc(l.embed_origins.join(' ') || '—')}</td><td>${esc(new Date(l.created_at).toLocaleString())}</td><td><button class="link" data-revoke="${esc(l.id)}">Revoke</button></td></tr>`,
          )
          .join('')}</tbody>`
      : `<tr><td class="empty">No shared links for ${esc(s)}</td></tr>`;
    document.body.dataset.sharesLoaded = String(Date.now());
  }

  const form = $('share-form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const err = form.querySelector('.error');
    const origins = form.origins.value.split(/[\s,]+/).filter(Boolean);
    try {
      const made = await call('POST', '/api/shares', {
        site: site(),
        label: form.label.value,
        ...(form.password.value ? { password: form.password.value } : {}),
        ...(origins.length ? { embed_origins: origins } : {}),
      });
      const url = `${location.origin}${made.url}`;
      $('share-url').value = url;
      $('share-embed').textContent = origins.length
        ? `Embed: <iframe src="${url}?embed=1" width="100%" height="900" style="border:0"></iframe>`
        : "To embed it in a page of yours, make a link that names the page's origin.";
      $('share-made').hidden = false;
      err.hidden = true;
      form.reset();
      await loadShares();
    } catch (problem) {
      err.textContent = problem.message;
      err.hidden = false;
    }
  });
  card.addEventListener('click', async (e) => {
    const b = e.target.closest('button[data-revoke]');
    if (!b || !confirm('Revoke this link? Whoever has it sees nothing from now on.')) return;
    await call('DELETE', `/api/shares/${b.dataset.revoke}?site=${encodeURIComponent(site())}`).catch((problem) => alert(problem.message));
    await loadShares();
  });
  // Read when opened (a refresh asks for nothing more), and again when the dashboard shows another site.
  const editor = $('share-editor');
  const reload = () => {
    if (editor.open && site()) loadShares().catch((err) => console.warn('shared links:', err.message));
  };
  editor.addEventListener('toggle', reload);
  V.onAsk(() => {
    if (site() !== shownSite) reload();
  });
})();
