/*! Scalehouse beacon — no cookies, no storage, no identifiers; MIT.
 * <script defer src="https://stats.example.com/scalehouse.js" data-site="example.com"></script>
 * Sends a pageview on load and on client-side navigation, the time the page
 * was visible when it is hidden, and custom events: scalehouse('signup', {plan: 'pro'}).
 * data-hash="true": hash routes (/#/settings) are pages of their own.
 */
(function () {
  var script = document.currentScript;
  if (!script) return;
  var site = script.getAttribute('data-site') || location.hostname;
  var api = script.getAttribute('data-api') || new URL('/api/event', script.src).href;
  var hashRoutes = script.getAttribute('data-hash') === 'true';
  var shownAt = document.visibilityState === 'visible' ? Date.now() : 0;
  var engaged = 0;
  var lastUrl = '';

  function send(type, extra) {
    var body = { site: site, type: type, url: location.href, referrer: document.referrer, w: window.innerWidth };
    if (hashRoutes) body.hash = true;
    for (var k in extra) body[k] = extra[k];
    var json = JSON.stringify(body);
    // sendBeacon with a string sends text/plain: no CORS preflight, and it survives page unload.
    if (navigator.sendBeacon && navigator.sendBeacon(api, json)) return;
    fetch(api, { method: 'POST', body: json, keepalive: true, headers: { 'content-type': 'text/plain' } }).catch(function () {});
  }

  function pageview() {
    if (location.href === lastUrl) return;
    lastUrl = location.href;
    send('pageview', {});
  }

  function flushEngagement() {
    if (shownAt) engaged += Date.now() - shownAt;
    shownAt = 0;
    if (engaged >= 1000) send('engagement', { engaged_ms: engaged });
    engaged = 0;
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') flushEngagement();
    else shownAt = Date.now();
  });

  // Single-page apps: count a pageview for each pushState/replaceState/popstate navigation.
  var push = history.pushState;
  history.pushState = function () { push.apply(this, arguments); pageview(); };
  window.addEventListener('popstate', pageview);
  if (hashRoutes) window.addEventListener('hashchange', pageview);

  window.scalehouse = function (name, props) { send('event', { name: String(name), props: props || {} }); };
  pageview();
})();
