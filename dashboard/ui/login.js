// The login page's one script, a file of its own: the dashboard's Content-Security-Policy allows no inline script.
if (location.search.includes('failed')) document.getElementById('failed').hidden = false;
