/*! Scalehouse beacon — no cookies, no storage, no identifiers; MIT.
 * The readable source. The collector serves it minified as /scalehouse.js
 * (snippet/scalehouse.min.js, made by `npm run build:snippet`; at most 1,024
 * bytes gzipped) and as it is here as /scalehouse.src.js. Options and
 * examples: docs/snippet.md.
 *
 * <script>window.scalehouse = window.scalehouse || function () { (window.scalehouse.q = window.scalehouse.q || []).push(arguments) }</script>
 * <script defer src="https://stats.example.com/scalehouse.js" data-site="example.com"></script>
 *
 * Sends a pageview on load and whenever the page's URL changes (pushState,
 * replaceState, back/forward; hash routes with data-hash="true"); the time the
 * page was visible, credited to that page, when the page changes or is hidden;
 * custom events, scalehouse('signup', {plan: 'pro'}), including the calls made
 * before it loaded; and, when asked, clicks on outbound links
 * (data-outbound="true") and on downloads (data-downloads="true" or "pdf,zip").
 * Sends nothing when the browser asks not to be tracked (GPC, DNT).
 */
(function (w, d, nav, loc) {
  // biome-ignore lint/complexity/useOptionalChain: Firefox 72 is a target (scripts/build-snippet.ts), and esbuild writes ?. longer for it
  var queued = (w.scalehouse || {}).q || [];
  var script = d.currentScript;
  // The page's own calls keep working whatever happens below.
  w.scalehouse = function () {};
  // docs/privacy.md: opted-out visitors are written nowhere, so their browser need not send anything.
  if (!script || nav.globalPrivacyControl || nav.doNotTrack == 1) return;

  // Nothing the snippet does may break the page: every entry point swallows its own errors.
  function safe(f) {
    return function () {
      try {
        return f.apply(this, arguments);
      } catch {}
    };
  }
  function attr(name) {
    return script.getAttribute('data-' + name);
  }
  function visibleSince() {
    return d.hidden ? 0 : Date.now();
  }

  var site = attr('site') || loc.hostname;
  var hashRoutes = attr('hash') == 'true';
  var outbound = attr('outbound') == 'true';
  var downloads = attr('downloads');
  downloads = (',' + (downloads == 'true' ? 'pdf,zip,gz,dmg,exe,csv,xlsx,docx,mp3,mp4' : downloads || '') + ',').toLowerCase();
  var api,
    current,
    pageUrl,
    engaged = 0,
    shownAt = 0;

  function send(type, extra, url) {
    var body = JSON.stringify(
      Object.assign({ site: site, type: type, url: url || loc.href, referrer: d.referrer, w: innerWidth, hash: hashRoutes }, extra),
    );
    // sendBeacon with a string sends text/plain: no CORS preflight, and it outlives the page. Without
    // it (or when it refuses), fetch with keepalive does the same; a blocked endpoint is no error of the page's.
    try {
      if (nav.sendBeacon(api, body)) return;
    } catch {}
    fetch(api, { method: 'POST', body: body, keepalive: true }).catch(safe);
  }

  // The visible time since the last flush goes to the page it was spent on (pageUrl), once.
  // Less than a second waits for more rather than costing a request of its own.
  function flush() {
    if (shownAt) engaged += Date.now() - shownAt;
    shownAt = visibleSince();
    if (engaged >= 1000) {
      send('engagement', { engaged_ms: engaged }, pageUrl);
      engaged = 0;
    }
  }

  // A pageview only when the page really changed: the fragment is part of it only for hash routes.
  function page() {
    var key = hashRoutes ? loc.href : loc.href.split('#')[0];
    if (key != current) {
      flush();
      engaged = 0;
      current = key;
      send('pageview', 0, (pageUrl = loc.href));
    }
  }

  function track(name, props) {
    var flat = {};
    // Flat properties only: strings, numbers and booleans (typeof st…, n…, bo…); the rest is left out.
    if (typeof props == 'object') for (var k in props) if (/^(st|n|bo)/.test(typeof props[k])) flat[k] = props[k];
    if (name === '' + name && name) send('event', { name: name, props: flat });
  }

  function click(e) {
    var a = e.target.closest('a[href]');
    var ext = /\.(\w+)$/.exec(a.pathname);
    if (e.button > 1) return; // left or middle (auxclick) button: a right click only opens a menu
    if (ext && downloads.indexOf(',' + ext[1].toLowerCase() + ',') >= 0) track('File Download', { url: a.href });
    else if (outbound && a.host != loc.host && /^http/.test(a.protocol)) track('Outbound Link: Click', { url: a.href });
  }

  function wrap(name) {
    var original = history[name];
    history[name] = function () {
      var result = original.apply(this, arguments);
      page();
      return result;
    };
  }

  try {
    shownAt = visibleSince();
    api = attr('api') || new URL('/api/event', script.src); // sendBeacon and fetch take it as its href
    page = safe(page);
    flush = safe(flush);
    click = safe(click);
    wrap('pushState');
    wrap('replaceState');
    // Events of the document (visibilitychange, click) reach the window too; capture sees a click
    // before the page's own handlers can stop it, and sendBeacon outlives the navigation that follows.
    addEventListener('popstate', page);
    if (hashRoutes) addEventListener('hashchange', page);
    addEventListener('visibilitychange', flush);
    addEventListener('pagehide', flush);
    addEventListener('click', click, true);
    addEventListener('auxclick', click, true);
    w.scalehouse = safe(track);
    page();
    queued.map(function (args) {
      w.scalehouse.apply(w, args);
    });
  } catch {}
})(window, document, navigator, location);
