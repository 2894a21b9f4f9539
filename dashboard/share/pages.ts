/**
 * The pages of a shared link (/share/TOKEN): the dashboard's own page, marked
 * as shared (body class `shared`, and `embed` for ?embed=1: no header or
 * controls) with its files and API under the link's path, so every request it
 * makes carries the token and nothing needs a login; the password form of a
 * protected link; and the page of a link that does not exist (or was revoked).
 * Pure: no script inline, as the Content-Security-Policy allows none.
 */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The dashboard page (dashboard/ui/index.html) as a shared link serves it. */
export function sharedDashboard(index: string, token: string, site: string, embed: boolean): string {
  return index
    .replaceAll('"/ui/', `"/share/${token}/ui/`)
    .replace('<body>', `<body class="shared${embed ? ' embed' : ''}">`)
    .replace(/<title>[^<]*<\/title>/, `<title>${esc(site)} — Scalehouse</title>`);
}

const page = (title: string, style: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<link rel="stylesheet" href="${style}">
</head>
<body class="login">
${body}
</body>
</html>
`;

export function passwordPage(token: string, site: string, failed: boolean): string {
  return page(
    `${site} — Scalehouse`,
    `/share/${token}/ui/style.css`,
    `<form method="post" class="card login-card">
  <h1>${esc(site)}</h1>
  <p class="muted">This shared dashboard is protected by a password.</p>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
  ${failed ? '<p id="failed" class="error">Wrong password.</p>' : ''}
  <button type="submit">Show the dashboard</button>
</form>`,
  );
}

export function missingPage(): string {
  return page(
    'Scalehouse — no such link',
    '/ui/style.css',
    `<div class="card login-card">
  <h1>No such link</h1>
  <p class="muted">This shared link does not exist, or its owner revoked it.</p>
</div>`,
  );
}
