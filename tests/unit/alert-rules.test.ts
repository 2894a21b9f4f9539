/** Alert rule files (ALERT_RULES): overrides per site, rules turned off, and every mistake named. */
import { describe, expect, it } from 'vitest';
import { alertRules, DEFAULT_THRESHOLDS } from '../../alerts/rules.ts';
import { seasonalBaseline, median } from '../../alerts/baseline.ts';
import { parseWebhooks } from '../../alerts/notify.ts';

describe('alert rules', () => {
  it('take defaults, overrides for all sites, and per site', () => {
    const rules = alertRules({
      default: { minHits: 500, errors5xx: { minErrors: 3 } },
      sites: { 'shop.example': { spikeRatio: 4, off: ['error_rate_4xx'] } },
    });
    expect(rules.forSite('blog.example')).toEqual({
      ...DEFAULT_THRESHOLDS,
      minHits: 500,
      errors5xx: { ...DEFAULT_THRESHOLDS.errors5xx, minErrors: 3 },
    });
    expect(rules.forSite('shop.example')).toMatchObject({
      minHits: 500,
      spikeRatio: 4,
      off: ['error_rate_4xx'],
      errors5xx: { minErrors: 3 },
    });
    expect(alertRules().forSite('constructor')).toEqual(DEFAULT_THRESHOLDS);
  });

  it.each([
    [{ default: { spikeRation: 3 } }, /default: unknown setting "spikeRation"/],
    [{ sites: { a: { errors5xx: { minError: 1 } } } }, /sites\.a: unknown setting "errors5xx\.minError"/],
    [{ default: { minHits: -1 } }, /"minHits" must be a number ≥ 0/],
    [{ default: { off: ['traffic_spik'] } }, /"off" must list rules among/],
    [{ sites: { a: { windowMinutes: 10 } } }, /windowMinutes and baselineWeeks can be set under "default" only/],
    [{ rules: {} }, /unknown keys rules/],
    [[], /must be a JSON object/],
  ])('refuse %j', (doc, message) => {
    expect(() => alertRules(doc)).toThrow(message);
  });
});

describe('the seasonal baseline', () => {
  it('is the median of earlier weeks, its spread robust to one odd week and never under Poisson noise', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(seasonalBaseline([100, 110, 90, 5000])).toEqual({ expected: 105, spread: 1.4826 * 10, weeks: 4 });
    expect(seasonalBaseline([400, 400, 400]).spread).toBe(20);
  });
});

describe('webhooks', () => {
  it("speak Slack's format when prefixed or at hooks.slack.com, JSON otherwise", () => {
    expect(
      parseWebhooks(['https://example.com/hook', 'slack:https://chat.example.com/hooks/x', 'https://hooks.slack.com/services/T/B/X']),
    ).toEqual([
      { url: 'https://example.com/hook', format: 'json' },
      { url: 'https://chat.example.com/hooks/x', format: 'slack' },
      { url: 'https://hooks.slack.com/services/T/B/X', format: 'slack' },
    ]);
  });
});
