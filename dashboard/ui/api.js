// The API reference: reads the OpenAPI document (/api/openapi.json) and shows
// each endpoint — method, path, what it does, who may call it, parameters,
// body and answers. Built with DOM calls only (textContent), from this origin:
// nothing from a CDN, within the dashboard's Content-Security-Policy.
(() => {
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const child of children) if (child !== undefined && child !== null) node.append(child);
    return node;
  };
  const METHODS = ['get', 'post', 'put', 'delete'];

  /** A schema with its $refs (to #/components/schemas/…) resolved, for showing. */
  const resolve = (doc, schema, depth = 0) => {
    if (!schema || typeof schema !== 'object' || depth > 8) return schema;
    if (typeof schema.$ref === 'string') return resolve(doc, doc.components.schemas[schema.$ref.split('/').pop()], depth + 1);
    if (Array.isArray(schema)) return schema.map((s) => resolve(doc, s, depth + 1));
    return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolve(doc, v, depth + 1)]));
  };
  const schemaBlock = (doc, schema) => el('pre', {}, JSON.stringify(resolve(doc, schema), null, 2));

  const security = (doc, op) => {
    const ways = (op.security ?? [])
      .map((s) => Object.keys(s)[0])
      .map((k) => (k ? (doc.components.securitySchemes[k]?.description ?? k) : 'nothing (anyone)'));
    return ways.length
      ? el('p', { class: 'muted' }, `Who may call it: ${ways.join('; or ')}`)
      : el('p', { class: 'muted' }, 'Who may call it: anyone');
  };

  const parameters = (op) => {
    if (!op.parameters?.length) return undefined;
    const rows = op.parameters.map((p) =>
      el(
        'tr',
        {},
        el('td', {}, el('code', {}, p.name)),
        el('td', {}, p.in),
        el('td', {}, p.required ? 'required' : ''),
        el('td', {}, [p.schema?.enum ? `one of ${p.schema.enum.filter(Boolean).join(', ')}. ` : '', p.description ?? ''].join('')),
      ),
    );
    return el(
      'div',
      {},
      el('h3', {}, 'Parameters'),
      el('table', {}, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'in'), el('th', {}, ''), el('th', {}, '')), ...rows),
    );
  };

  const body = (doc, op) => {
    const content = op.requestBody?.content;
    if (!content) return undefined;
    const [type, media] = Object.entries(content)[0];
    return el('div', {}, el('h3', {}, `Body (${Object.keys(content).join(', ')})`), type ? schemaBlock(doc, media.schema) : undefined);
  };

  const responses = (doc, op) =>
    el(
      'div',
      {},
      el('h3', {}, 'Answers'),
      ...Object.entries(op.responses).map(([status, r]) => {
        const media = r.content && Object.entries(r.content)[0];
        const line = el(
          'p',
          {},
          el('strong', {}, status),
          ` ${r.description}`,
          media ? el('span', { class: 'muted' }, ` (${media[0]})`) : undefined,
        );
        return status.startsWith('2') && media ? el('details', {}, el('summary', {}, line), schemaBlock(doc, media[1].schema)) : line;
      }),
    );

  const endpoint = (doc, path, method, op) =>
    el(
      'details',
      { class: 'card endpoint', 'data-endpoint': `${method.toUpperCase()} ${path}` },
      el(
        'summary',
        {},
        el('span', { class: `method ${method}` }, method.toUpperCase()),
        el('code', { class: 'path' }, path),
        el('span', {}, op.summary ?? ''),
      ),
      op.description ? el('p', {}, op.description) : undefined,
      security(doc, op),
      parameters(op),
      body(doc, op),
      responses(doc, op),
    );

  function render(doc) {
    document.getElementById('version').textContent = `OpenAPI ${doc.openapi}, version ${doc.info.version}`;
    document.getElementById('intro').textContent = doc.info.description ?? '';
    const byTag = new Map();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS.filter((m) => item[m])) {
        const tag = item[method].tags?.[0] ?? 'other';
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag).push(endpoint(doc, path, method, item[method]));
      }
    }
    const main = document.getElementById('reference');
    for (const [tag, cards] of byTag) main.append(el('h2', { class: 'tag-name' }, tag), ...cards);
    main.setAttribute('aria-busy', 'false');
    document.body.dataset.endpoints = String(main.querySelectorAll('.endpoint').length);
  }

  fetch('/api/openapi.json', { credentials: 'same-origin' })
    .then((res) => (res.ok ? res.json() : Promise.reject(new Error(`the document answered ${res.status}`))))
    .then(render)
    .catch((err) => {
      const notice = document.getElementById('notice');
      notice.textContent = `Cannot read the API's document: ${err.message}`;
      notice.hidden = false;
    });
})();
