/* Scalehouse dashboard: what the page's other scripts share, loaded before them (no build step).
 *
 * - window.scalehouseView.asked(NAME): the parameters the dashboard last asked the named query NAME
 *   with (seen in its requests to /api/stats, one query or a batch), so a CSV link exports exactly
 *   what a panel shows; view(): the site, range and filters of the last refresh, which goals and
 *   funnels are read with.
 * - On a shared link's page (/share/TOKEN), every request to /api/ goes to /share/TOKEN/api/, the
 *   link's own read API; a refusal of the link itself (revoked, or its password is due again)
 *   reloads the page, which then says why. */
(() => {
  'use strict';
  const shared = /^\/share\/([A-Za-z0-9_-]{32})(?:\/|$)/.exec(location.pathname);
  const base = shared ? `/share/${shared[1]}` : '';
  const VIEW = ['site', 'from', 'to', 'page', 'entry', 'channel', 'device', 'country', 'status'];
  const asked = new Map();
  const listeners = [];
  let view = null;

  /** Remembers what a request to the stats API asked for, per query. */
  function record(url) {
    const u = new URL(url, location.href);
    const prefix = `${base}/api/stats/`;
    if (!u.pathname.startsWith(prefix) || u.searchParams.has('format')) return;
    const name = u.pathname.slice(prefix.length);
    const q = u.searchParams;
    const common = new URLSearchParams();
    for (const [k, v] of q) if (k !== 'queries' && !k.includes('.')) common.set(k, v);
    const names = name === 'batch' ? (q.get('queries') || '').split(',').filter(Boolean) : [name];
    for (const n of names) {
      const p = new URLSearchParams(common);
      for (const [k, v] of q) if (k.startsWith(`${n}.`)) p.set(k.slice(n.length + 1), v);
      asked.set(n, p);
    }
    if (common.get('site') && common.get('from')) {
      view = new URLSearchParams();
      for (const k of VIEW) if (common.get(k)) view.set(k, common.get(k));
    }
    for (const f of listeners) f();
  }

  const original = window.fetch.bind(window);
  window.fetch = (input, init) => {
    let url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (base && url.startsWith('/api/')) url = base + url;
    try {
      record(url);
    } catch {
      /* not a URL the page would make: nothing to remember */
    }
    const sent = original(typeof input === 'string' || input instanceof URL ? url : new Request(url, input), init);
    if (!base) return sent;
    return sent.then(async (res) => {
      if (res.status !== 401 && res.status !== 404) return res;
      const body = await res
        .clone()
        .json()
        .catch(() => ({}));
      if (body.error !== 'share_not_found' && body.error !== 'password_required') return res;
      location.reload();
      return new Promise(() => undefined);
    });
  };

  window.scalehouseView = {
    /** '' on the dashboard, '/share/TOKEN' on a shared link's page: what API paths start with. */
    base,
    shared: Boolean(base),
    asked: (name) => asked.get(name),
    view: () => view,
    /** Calls `f` after every request to the stats API. */
    onAsk: (f) => listeners.push(f),
  };
})();
