/** Goals' and funnels' page patterns and definitions (dashboard/goals/): pure, table-driven. */
import { describe, expect, it } from 'vitest';
import { patternProblem, patternRegex } from '../../dashboard/goals/pattern.ts';
import { MAX_STEPS, parseFunnel, parseGoal } from '../../dashboard/goals/definition.ts';
import { funnelTable, goalTable } from '../../dashboard/goals/conversions.ts';

describe('page patterns', () => {
  it.each([
    ['/pricing', '/pricing', true],
    ['/pricing', '/pricing/', false],
    ['/pricing', '/pricingx', false],
    ['/blog/*', '/blog/post', true],
    ['/blog/*', '/blog/', true],
    ['/blog/*', '/blog/2024/post', false],
    ['/blog/**', '/blog/2024/post', true],
    ['/blog/**', '/blog', false],
    ['/*/edit', '/a/edit', true],
    ['/*/edit', '/a/b/edit', false],
    ['/**/edit', '/a/b/edit', true],
    ['/a.b', '/a.b', true],
    ['/a.b', '/axb', false],
    ['/(x)|y+?[z]{1}^$\\', '/(x)|y+?[z]{1}^$\\', true],
    ['/café', '/café', true],
  ])('%s on %s: %s', (pattern, path, matches) => {
    expect(patternProblem(pattern)).toBeUndefined();
    expect(new RegExp(patternRegex(pattern)).test(path)).toBe(matches);
  });

  it.each([['pricing'], ['/a b'], ['/a\tb'], ['/a/***'], [`/${'x'.repeat(500)}`]])('refuses %j', (pattern) => {
    expect(patternProblem(pattern)).toBeTruthy();
  });
});

describe('definitions', () => {
  it('takes a goal and a funnel, trimmed, the site in lower case', () => {
    expect(parseGoal({ site: 'Example.COM', name: ' Signup ', kind: 'event', match: ' Signup ' })).toEqual({
      site: 'example.com',
      name: 'Signup',
      kind: 'event',
      match: 'Signup',
    });
    const steps = Array.from({ length: MAX_STEPS }, (_, i) => ({ kind: i % 2 ? 'event' : 'page', match: i % 2 ? `e${i}` : `/p${i}` }));
    expect(parseFunnel({ site: 'example.com', name: 'F', steps }).steps).toEqual(steps);
  });
});

describe('shaping conversions', () => {
  const goals = [
    { id: 'g1', site: 's', name: 'One', kind: 'event' as const, match: 'x', created_at: '1970-01-01T00:00:00.000Z' },
    { id: 'g2', site: 's', name: 'Two', kind: 'page' as const, match: '/y', created_at: '1970-01-01T00:00:00.000Z' },
  ];
  const rows = [
    { channel: 'search', referrer_host: 'google.com', visits: 10, conversions: [2, 5] },
    { channel: 'direct', referrer_host: '', visits: 30, conversions: [3, 0] },
    { channel: 'search', referrer_host: 'duckduckgo.com', visits: 5, conversions: [1, 1] },
  ];
  it('sums per goal, and per source', () => {
    expect(goalTable(goals, rows, 'goal').map((r) => [r.goal, r.visits, r.conversions, r.conversion_rate])).toEqual([
      ['One', 45, 6, 0.1333],
      ['Two', 45, 6, 0.1333],
    ]);
    expect(goalTable(goals, rows, 'channel').map((r) => [r.goal, r.source, r.visits, r.conversions])).toEqual([
      ['One', 'direct', 30, 3],
      ['One', 'search', 15, 3],
      ['Two', 'direct', 30, 0],
      ['Two', 'search', 15, 6],
    ]);
    expect(goalTable(goals, [], 'goal').map((r) => r.conversion_rate)).toEqual([0, 0]);
  });
  it("counts a funnel's steps from the levels visits reached", () => {
    const funnel = {
      id: 'f',
      site: 's',
      name: 'F',
      created_at: '1970-01-01T00:00:00.000Z',
      steps: [
        { kind: 'page' as const, match: '/' },
        { kind: 'page' as const, match: '/b' },
        { kind: 'event' as const, match: 'c' },
      ],
    };
    const table = funnelTable(funnel, [
      { level: 0, visits: 50 },
      { level: 1, visits: 30 },
      { level: 2, visits: 15 },
      { level: 3, visits: 5 },
    ]);
    expect(table.map((r) => [r.step, r.visits, r.rate_of_visits, r.rate_of_first_step, r.drop_off, r.drop_off_rate])).toEqual([
      [1, 50, 0.5, 1, 50, 0.5],
      [2, 20, 0.2, 0.4, 30, 0.6],
      [3, 5, 0.05, 0.1, 15, 0.75],
    ]);
  });
});
