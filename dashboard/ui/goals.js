/* Scalehouse dashboard: goals and funnels (no build step). Two cards in the page's grid, read in
 * the dashboard's own batch at every refresh (app.js asks window.scalehouseGoals for its jobs), as
 * the named queries goals, goals-by-channel (or -referrer) and funnels; a small form each to add,
 * edit and delete them (/api/goals, /api/funnels) — not on a shared link's page, which only reads. */
(() => {
  'use strict';
  const V = window.scalehouseView;
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const fmt = new Intl.NumberFormat();
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const MAX_STEPS = 8;
  let by = 'channel';
  let selected = '';
  let goals = [];
  let funnels = [];

  const card = (id, html) => {
    const el = document.createElement('section');
    el.className = 'card wide';
    el.id = id;
    el.innerHTML = html;
    return el;
  };
  const kindSelect = (name) =>
    `<select name="${name}" aria-label="Kind"><option value="event">custom event</option><option value="page">page</option></select>`;
  const goalsCard = card(
    'goals-card',
    `<h2>Goals <small class="muted">(visits that reached each; a page pattern's * is any text within a path segment, ** across segments)</small> <a class="csv" id="goals-csv" download hidden>CSV</a></h2>
    <table id="goals"></table>
    <p class="sources-pick"><label>By <select id="goals-by"><option value="channel">channel</option><option value="referrer">referrer</option></select></label>
      <label>for <select id="goals-goal" aria-label="Goal"></select></label> <a class="csv" id="goal-sources-csv" download hidden>CSV</a></p>
    <table id="goal-sources"></table>
    <details class="admin-only editor" id="goal-editor"><summary>Add a goal</summary>
      <form id="goal-form" class="editor-form">
        <input name="name" placeholder="Name, e.g. Signup" aria-label="Goal name" required maxlength="100">
        ${kindSelect('kind')}
        <input name="match" placeholder="Event name, or a path such as /blog/*" aria-label="Matches" required maxlength="500">
        <button type="submit">Add goal</button> <button type="button" class="link cancel" hidden>Cancel</button>
        <p class="error" hidden></p>
      </form>
    </details>`,
  );
  const funnelsCard = card(
    'funnels-card',
    `<h2>Funnels <small class="muted">(visits that went through the steps in order)</small> <a class="csv" id="funnels-csv" download hidden>CSV</a></h2>
    <div id="funnels"></div>
    <details class="admin-only editor" id="funnel-editor"><summary>Add a funnel</summary>
      <form id="funnel-form" class="editor-form">
        <input name="name" placeholder="Name, e.g. Checkout" aria-label="Funnel name" required maxlength="100">
        <ol class="steps"></ol>
        <button type="button" class="link add-step">+ step</button>
        <button type="submit">Add funnel</button> <button type="button" class="link cancel" hidden>Cancel</button>
        <p class="error" hidden></p>
      </form>
    </details>`,
  );
  // After the custom events, whose names goals are made of.
  const after = $('custom-events')?.closest('section');
  if (after) after.after(goalsCard, funnelsCard);
  else document.querySelector('main').append(goalsCard, funnelsCard);

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

  // ---- reading ----------------------------------------------------------------

  const names = () => ['goals', `goals-by-${by}`, 'funnels'];
  function show(summary, sources, steps) {
    renderGoals(summary, sources);
    renderFunnels(steps);
    const [g, s, f] = names();
    for (const [id, name] of [
      ['goals-csv', g],
      ['goal-sources-csv', s],
      ['funnels-csv', f],
    ]) {
      const q = V.asked(name);
      $(id).hidden = !q;
      if (q) $(id).href = `${V.base}/api/stats/${name}?${q}&format=csv`;
    }
    document.body.dataset.goalsLoaded = String(Date.now());
  }

  // The dashboard's refresh: these three queries join its batch.
  window.scalehouseGoals = {
    jobs(api) {
      const asked = names().map((n) => api(n).then((answer) => answer.data));
      Promise.all(asked).then(
        ([summary, sources, steps]) => show(summary, sources, steps),
        () => undefined,
      );
      return asked;
    },
  };

  /** After a change, or another breakdown chosen: the same three queries, for the view shown. */
  async function load() {
    const view = V.view();
    if (!view?.get('site')) return;
    const q = new URLSearchParams(view);
    q.set('queries', names().join(','));
    const { results } = await call('GET', `/api/stats/batch?${q}`);
    const data = names().map((n) => {
      if (!results[n] || results[n].error) throw new Error(results[n] ? results[n].message : 'no answer');
      return results[n].data;
    });
    show(...data);
  }

  const actions = (type, id) =>
    `<td class="admin-only actions"><button class="link" data-edit-${type}="${esc(id)}">Edit</button> <button class="link" data-delete-${type}="${esc(id)}">Delete</button></td>`;

  function renderGoals(summary, rows) {
    goals = summary.map((g) => ({
      id: g.goal_id,
      name: g.goal,
      definition: { kind: g.kind, match: g.match },
      visits: g.visits,
      conversions: g.conversions,
      rate: g.conversion_rate,
    }));
    if (!goals.some((g) => g.id === selected)) selected = goals[0]?.id || '';
    $('goals-goal').innerHTML = goals
      .map((g) => `<option value="${esc(g.id)}"${g.id === selected ? ' selected' : ''}>${esc(g.name)}</option>`)
      .join('');
    const el = $('goals');
    if (!goals.length) {
      el.innerHTML =
        '<tr><td class="empty">No goals yet' + (V.shared ? '' : ': add one below, from a custom event or a page') + '</td></tr>';
      $('goal-sources').innerHTML = '';
      return;
    }
    el.innerHTML = `<thead><tr><th>Goal</th><th>Matches</th><th class="num">Visits</th><th class="num">Converted</th><th class="num">Conversion rate</th><th class="admin-only"></th></tr></thead><tbody>${goals
      .map(
        (g) =>
          `<tr data-goal="${esc(g.id)}"><td class="name">${esc(g.name)}</td><td>${esc(g.definition.kind === 'page' ? g.definition.match : `event: ${g.definition.match}`)}</td><td class="num">${fmt.format(g.visits)}</td><td class="num">${fmt.format(g.conversions)}</td><td class="num">${pct(g.rate)}</td>${actions('goal', g.id)}</tr>`,
      )
      .join('')}</tbody>`;
    const sources = rows.filter((r) => r.goal_id === selected && r.visits > 0);
    $('goal-sources').innerHTML = sources.length
      ? `<thead><tr><th>${by === 'channel' ? 'Channel' : 'Referrer'}</th><th class="num">Visits</th><th class="num">Converted</th><th class="num">Conversion rate</th></tr></thead><tbody>${sources
          .map(
            (r) =>
              `<tr><td class="name">${esc(r.source || (by === 'channel' ? '(none)' : '(direct)'))}</td><td class="num">${fmt.format(r.visits)}</td><td class="num">${fmt.format(r.conversions)}</td><td class="num">${pct(r.conversion_rate)}</td></tr>`,
          )
          .join('')}</tbody>`
      : '<tr><td class="empty">No visits in this range</td></tr>';
  }

  /** What a goal matches (kind and match), as the conversions answered it. */
  const definitionOf = (id) => goals.find((g) => g.id === id)?.definition || { kind: 'event', match: '' };

  function renderFunnels(rows) {
    const byFunnel = new Map();
    for (const r of rows) {
      const f = byFunnel.get(r.funnel_id) || { id: r.funnel_id, name: r.funnel, steps: [] };
      f.steps.push(r);
      byFunnel.set(r.funnel_id, f);
    }
    funnels = [...byFunnel.values()];
    const el = $('funnels');
    if (!funnels.length) {
      el.innerHTML = `<p class="empty">No funnels yet${V.shared ? '' : ': add one below, of 2 to 8 steps'}</p>`;
      return;
    }
    el.innerHTML = funnels
      .map((f) => {
        const first = f.steps[0].visits || 1;
        return `<table class="funnel" data-funnel="${esc(f.id)}"><thead><tr><th>${esc(f.name)}</th><th class="num">Visits</th><th class="num">Of step 1</th><th class="num">Dropped</th>${actions('funnel', f.id).replace('<td', '<th').replace('</td>', '</th>')}</tr></thead><tbody>${f.steps
          .map(
            (s) =>
              `<tr data-step="${s.step}"><td class="name bar-cell"><span class="fill" style="width:${(100 * s.visits) / first}%"></span><span class="text">${s.step}. ${esc(s.kind === 'page' ? s.match : `event: ${s.match}`)}</span></td><td class="num">${fmt.format(s.visits)}</td><td class="num">${pct(s.rate_of_first_step)}</td><td class="num">${fmt.format(s.drop_off)} (${pct(s.drop_off_rate)})</td><td class="admin-only"></td></tr>`,
          )
          .join('')}</tbody></table>`;
      })
      .join('');
  }

  // ---- editing ----------------------------------------------------------------

  const site = () => V.view()?.get('site') || '';
  function showError(form, err) {
    const p = form.querySelector('.error');
    p.textContent = err ? err.message : '';
    p.hidden = !err;
  }

  const goalForm = $('goal-form');
  let editingGoal = '';
  function editGoal(id) {
    const g = goals.find((x) => x.id === id);
    const def = definitionOf(id);
    editingGoal = id;
    goalForm.name.value = g ? g.name : '';
    goalForm.kind.value = def.kind;
    goalForm.match.value = def.match;
    goalForm.querySelector('button[type=submit]').textContent = id ? 'Save goal' : 'Add goal';
    goalForm.querySelector('.cancel').hidden = !id;
    $('goal-editor').open = true;
    showError(goalForm, null);
  }
  goalForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { site: site(), name: goalForm.name.value, kind: goalForm.kind.value, match: goalForm.match.value };
    try {
      await call(editingGoal ? 'PUT' : 'POST', editingGoal ? `/api/goals/${editingGoal}` : '/api/goals', body);
      editGoal('');
      goalForm.reset();
      await load();
    } catch (err) {
      showError(goalForm, err);
    }
  });

  const funnelForm = $('funnel-form');
  let editingFunnel = '';
  function stepRow(s = { kind: 'page', match: '' }) {
    const li = document.createElement('li');
    li.innerHTML = `${kindSelect('step-kind')} <input name="step-match" aria-label="Step matches" placeholder="/pricing, or an event name" required maxlength="500"> <button type="button" class="link remove-step" aria-label="Remove step">✕</button>`;
    li.querySelector('select').value = s.kind;
    li.querySelector('input').value = s.match;
    return li;
  }
  function setSteps(steps) {
    const ol = funnelForm.querySelector('.steps');
    ol.replaceChildren(...steps.map(stepRow));
    funnelForm.querySelector('.add-step').hidden = steps.length >= MAX_STEPS;
  }
  const stepsOf = () =>
    [...funnelForm.querySelectorAll('.steps li')].map((li) => ({
      kind: li.querySelector('select').value,
      match: li.querySelector('input').value,
    }));
  function editFunnel(id) {
    const f = funnels.find((x) => x.id === id);
    editingFunnel = id;
    funnelForm.name.value = f ? f.name : '';
    setSteps(
      f
        ? f.steps.map((s) => ({ kind: s.kind, match: s.match }))
        : [
            { kind: 'page', match: '' },
            { kind: 'page', match: '' },
          ],
    );
    funnelForm.querySelector('button[type=submit]').textContent = id ? 'Save funnel' : 'Add funnel';
    funnelForm.querySelector('.cancel').hidden = !id;
    $('funnel-editor').open = true;
    showError(funnelForm, null);
  }
  funnelForm.addEventListener('click', (e) => {
    if (e.target.closest('.add-step')) setSteps([...stepsOf(), { kind: 'page', match: '' }].slice(0, MAX_STEPS));
    else if (e.target.closest('.remove-step')) {
      e.target.closest('li').remove();
      funnelForm.querySelector('.add-step').hidden = stepsOf().length >= MAX_STEPS;
    }
  });
  funnelForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { site: site(), name: funnelForm.name.value, steps: stepsOf() };
    try {
      await call(editingFunnel ? 'PUT' : 'POST', editingFunnel ? `/api/funnels/${editingFunnel}` : '/api/funnels', body);
      editFunnel('');
      $('funnel-editor').open = false;
      await load();
    } catch (err) {
      showError(funnelForm, err);
    }
  });
  setSteps([
    { kind: 'page', match: '' },
    { kind: 'page', match: '' },
  ]);

  document.addEventListener('click', async (e) => {
    const t = e.target.closest('button');
    if (!t) return;
    if (t.matches('.cancel')) {
      if (t.form === goalForm) editGoal('');
      else editFunnel('');
      return;
    }
    const [type, verb] = t.dataset.editGoal
      ? ['goal', 'edit']
      : t.dataset.deleteGoal
        ? ['goal', 'delete']
        : t.dataset.editFunnel
          ? ['funnel', 'edit']
          : t.dataset.deleteFunnel
            ? ['funnel', 'delete']
            : [];
    if (!type) return;
    const id = t.dataset.editGoal || t.dataset.deleteGoal || t.dataset.editFunnel || t.dataset.deleteFunnel;
    if (verb === 'edit') {
      if (type === 'goal') editGoal(id);
      else editFunnel(id);
      return;
    }
    if (!confirm(`Delete this ${type}?`)) return;
    try {
      await call('DELETE', `/api/${type}s/${id}?site=${encodeURIComponent(site())}`);
      await load();
    } catch (err) {
      showError(type === 'goal' ? goalForm : funnelForm, err);
    }
  });

  $('goals-by').addEventListener('change', () => {
    by = $('goals-by').value;
    load().catch(() => undefined);
  });
  $('goals-goal').addEventListener('change', () => {
    selected = $('goals-goal').value;
    load().catch(() => undefined);
  });
})();
