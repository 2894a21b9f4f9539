/**
 * Writes the Grafana dashboards (provisioning/dashboards/scalehouse/*.json)
 * from the compact definitions below: `npm run grafana:dashboards`. Panel SQL
 * uses the ClickHouse plugin's macros ($__timeFilter, $__timeInterval, …) and
 * the dashboard variables ${site}, ${channel}, ${device}; tests expand them the
 * way the plugin does and run every panel on real data.
 */
import { writeFileSync } from 'node:fs';

const DS = { type: 'grafana-clickhouse-datasource', uid: 'scalehouse-clickhouse' };
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's ${variable:format}, expanded by Grafana, not JavaScript
const SITE = 'site = ${site:sqlstring}';
// Channel and device are session filters (docs/metrics.md): they select sessions by what they started
// with, and every hit of those sessions — never a hit by its own referrer.
const FILTERS =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's ${variable:format}, expanded by Grafana, not JavaScript
  "(${channel:sqlstring} = '__all' OR channel = ${channel:sqlstring}) AND (${device:sqlstring} = '__all' OR device_type = ${device:sqlstring})";
/** Visitors found to be bots by behaviour (bot_visitors): their hits and sessions are bots', those loaded before the verdict too. */
const HUMAN = `visitor_id NOT IN (SELECT visitor_id FROM bot_visitors WHERE ${SITE} AND day >= toDate($__fromTime) - 8 AND day <= toDate($__toTime))`;
/** Sessions as the dashboards read them: a referral from one of the site's own hosts (site_hosts) is direct. */
const SESSIONS = `(SELECT * EXCEPT (referrer_host, channel, own), if(own, '', referrer_host) AS referrer_host, if(own, 'direct', channel) AS channel FROM (SELECT *, channel = 'referral' AND referrer_host IN (SELECT host FROM site_hosts WHERE ${SITE}) AS own FROM sessions FINAL WHERE ${SITE} AND ${HUMAN}))`;
/** Visits: sessions with a pageview, that started in the range. */
const VISITS = `$__timeFilter(start_ts) AND pageviews > 0 AND ${FILTERS}`;
/** Hits of the sessions the filters select (an event keeps the id its session had when it was loaded: merged_ids). */
const HITS = `${HUMAN} AND ((\${channel:sqlstring} = '__all' AND \${device:sqlstring} = '__all') OR session_id IN (SELECT arrayJoin(arrayPushFront(merged_ids, session_id)) FROM ${SESSIONS} AS s WHERE start_ts >= $__fromTime - INTERVAL 7 DAY AND start_ts <= $__toTime AND ${FILTERS}))`;

type Kind = 'timeseries' | 'stat' | 'table' | 'piechart' | 'barchart' | 'bargauge';
interface PanelDef {
  title: string;
  kind: Kind;
  sql: string;
  w?: number;
  h?: number;
  unit?: string;
  table?: boolean;
}

const variables = [
  {
    name: 'site',
    type: 'query',
    label: 'Site',
    datasource: DS,
    query: 'SELECT site FROM traffic_minute GROUP BY site ORDER BY sum(hits) DESC',
    refresh: 2,
  },
  {
    name: 'channel',
    type: 'custom',
    label: 'Channel',
    includeAll: true,
    allValue: '__all',
    query: 'direct,search,social,email,paid,campaign,referral',
  },
  {
    name: 'device',
    type: 'custom',
    label: 'Device',
    includeAll: true,
    allValue: '__all',
    query: 'desktop,mobile,tablet,smarttv,console,wearable,embedded,xr',
  },
].map((v) => ({ ...v, current: v.type === 'custom' ? { text: 'All', value: '$__all' } : {}, hide: 0 }));

const dashboards: Record<string, { title: string; panels: PanelDef[] }> = {
  'traffic-overview': {
    title: 'Scalehouse — Traffic overview',
    panels: [
      {
        title: 'Unique visitors',
        kind: 'stat',
        w: 4,
        sql: `SELECT uniqExact(visitor_id) AS visitors FROM ${SESSIONS} AS s WHERE ${VISITS}`,
      },
      { title: 'Visits', kind: 'stat', w: 4, sql: `SELECT count() AS visits FROM ${SESSIONS} AS s WHERE ${VISITS}` },
      {
        title: 'Pageviews',
        kind: 'stat',
        w: 4,
        sql: `SELECT countIf(is_pageview = 1) AS pageviews FROM events WHERE ${SITE} AND $__timeFilter(ts) AND ${HITS}`,
      },
      {
        title: 'Bounce rate',
        kind: 'stat',
        w: 4,
        unit: 'percentunit',
        sql: `SELECT avg(is_bounce) AS bounce_rate FROM ${SESSIONS} AS s WHERE ${VISITS}`,
      },
      {
        title: 'Time on site',
        kind: 'stat',
        w: 4,
        unit: 's',
        sql: `SELECT avg(duration_s) AS time_on_site FROM ${SESSIONS} AS s WHERE ${VISITS}`,
      },
      {
        title: 'Current visitors (last 5 min)',
        kind: 'stat',
        w: 4,
        sql: `SELECT uniqExact(visitor_id) AS current_visitors FROM events WHERE ${SITE} AND ts >= now() - INTERVAL 5 MINUTE AND (is_pageview = 1 OR source = 'beacon') AND visitor_id NOT IN (SELECT visitor_id FROM bot_visitors WHERE ${SITE} AND day >= today() - 1)`,
      },
      {
        title: 'Pageviews and hits',
        kind: 'timeseries',
        w: 24,
        sql: `SELECT $__timeInterval(minute) AS time, sum(pageviews) AS pageviews, sum(hits) AS hits, sum(bot_hits) AS bot_hits FROM traffic_minute WHERE ${SITE} AND $__timeFilter(minute) GROUP BY time ORDER BY time`,
      },
      {
        title: 'Visitors and visits',
        kind: 'timeseries',
        w: 12,
        sql: `SELECT $__timeInterval(start_ts) AS time, uniqExact(visitor_id) AS visitors, count() AS visits FROM ${SESSIONS} AS s WHERE ${VISITS} GROUP BY time ORDER BY time`,
      },
      {
        title: 'Pageviews by weekday and hour (UTC)',
        kind: 'table',
        w: 12,
        table: true,
        sql: `SELECT toDayOfWeek(minute) AS weekday, toHour(minute) AS hour, sum(pageviews) AS pageviews FROM traffic_minute WHERE ${SITE} AND $__timeFilter(minute) GROUP BY weekday, hour ORDER BY weekday, hour`,
      },
    ],
  },
  pages: {
    title: 'Scalehouse — Pages',
    panels: [
      {
        title: 'Top pages',
        kind: 'table',
        w: 12,
        h: 12,
        table: true,
        sql: `SELECT path, sum(pageviews) AS pageviews, sum(hits) AS hits, sum(status_4xx) + sum(status_5xx) AS errors, toUInt64(greatest(0, toInt64(sum(pages_hour.pageviews)) - toInt64(sum(pages_hour.beacon_pageviews)))) AS seen_only_in_logs FROM pages_hour WHERE ${SITE} AND $__timeFilter(hour) GROUP BY path ORDER BY pageviews DESC LIMIT 50`,
      },
      {
        title: 'Entry pages',
        kind: 'table',
        w: 6,
        h: 12,
        table: true,
        sql: `SELECT entry_path, count() AS visits, round(avg(is_bounce), 3) AS bounce_rate FROM ${SESSIONS} AS s WHERE ${VISITS} GROUP BY entry_path ORDER BY visits DESC LIMIT 50`,
      },
      {
        title: 'Exit pages',
        kind: 'table',
        w: 6,
        h: 12,
        table: true,
        sql: `SELECT exit_path, count() AS visits FROM ${SESSIONS} AS s WHERE ${VISITS} GROUP BY exit_path ORDER BY visits DESC LIMIT 50`,
      },
      {
        title: 'Custom events',
        kind: 'table',
        w: 12,
        h: 8,
        table: true,
        sql: `SELECT event_name, count() AS events, uniqExact(visitor_id) AS visitors FROM events WHERE ${SITE} AND event_type = 'event' AND $__timeFilter(ts) AND ${HITS} GROUP BY event_name ORDER BY events DESC LIMIT 50`,
      },
      {
        title: 'Pageviews seen only in logs (not by the beacon)',
        kind: 'timeseries',
        w: 12,
        h: 8,
        sql: `SELECT $__timeInterval(minute) AS time, sum(pageviews) AS pageviews, sum(beacon_pageviews) AS seen_by_beacon FROM traffic_minute WHERE ${SITE} AND $__timeFilter(minute) GROUP BY time ORDER BY time`,
      },
      {
        title: 'Pageviews of the top pages',
        kind: 'timeseries',
        w: 24,
        sql: `SELECT $__timeInterval(ts) AS time, path, countIf(is_pageview = 1) AS pageviews FROM events WHERE ${SITE} AND $__timeFilter(ts) AND ${HITS} AND path IN (SELECT path FROM pages_hour WHERE ${SITE} AND $__timeFilter(hour) GROUP BY path ORDER BY sum(pageviews) DESC LIMIT 5) GROUP BY time, path ORDER BY time`,
      },
    ],
  },
  sources: {
    title: 'Scalehouse — Sources',
    panels: [
      {
        title: 'Channels',
        kind: 'piechart',
        w: 8,
        table: true,
        sql: `SELECT channel, count() AS visits FROM ${SESSIONS} AS s WHERE ${VISITS} GROUP BY channel ORDER BY visits DESC`,
      },
      {
        title: 'Referrers',
        kind: 'table',
        w: 8,
        table: true,
        sql: `SELECT referrer_host, count() AS visits FROM ${SESSIONS} AS s WHERE ${VISITS} AND referrer_host != '' GROUP BY referrer_host ORDER BY visits DESC LIMIT 50`,
      },
      {
        title: 'Not visits: sessions without a page, by referrer (hotlinks, feeds)',
        kind: 'table',
        w: 8,
        table: true,
        sql: `SELECT referrer_host, count() AS sessions, sum(hits) AS hits FROM ${SESSIONS} AS s WHERE $__timeFilter(start_ts) AND pageviews = 0 AND ${FILTERS} GROUP BY referrer_host ORDER BY sessions DESC LIMIT 50`,
      },
      {
        title: 'Campaigns (UTM)',
        kind: 'table',
        w: 8,
        table: true,
        sql: `SELECT utm_source, utm_medium, utm_campaign, count() AS visits FROM ${SESSIONS} AS s WHERE ${VISITS} AND utm_source != '' GROUP BY utm_source, utm_medium, utm_campaign ORDER BY visits DESC LIMIT 50`,
      },
      {
        title: 'Browsers',
        kind: 'bargauge',
        w: 8,
        table: true,
        sql: `SELECT browser, count() AS visits FROM ${SESSIONS} AS s WHERE ${VISITS} GROUP BY browser ORDER BY visits DESC LIMIT 10`,
      },
      {
        title: 'Operating systems',
        kind: 'bargauge',
        w: 8,
        table: true,
        sql: `SELECT os, count() AS visits FROM ${SESSIONS} AS s WHERE ${VISITS} GROUP BY os ORDER BY visits DESC LIMIT 10`,
      },
      {
        title: 'Devices',
        kind: 'piechart',
        w: 8,
        table: true,
        sql: `SELECT device_type, count() AS visits FROM ${SESSIONS} AS s WHERE ${VISITS} GROUP BY device_type ORDER BY visits DESC`,
      },
      {
        title: 'Countries (IP Geolocation by DB-IP)',
        kind: 'table',
        w: 8,
        table: true,
        sql: `SELECT country, count() AS visits FROM ${SESSIONS} AS s WHERE ${VISITS} GROUP BY country ORDER BY visits DESC LIMIT 50`,
      },
      {
        title: 'Visits by channel',
        kind: 'timeseries',
        w: 24,
        sql: `SELECT $__timeInterval(start_ts) AS time, channel, count() AS visits FROM ${SESSIONS} AS s WHERE ${VISITS} GROUP BY time, channel ORDER BY time`,
      },
    ],
  },
  'errors-performance': {
    title: 'Scalehouse — Errors & performance',
    panels: [
      {
        title: 'Responses by status class',
        kind: 'timeseries',
        w: 12,
        sql: `SELECT $__timeInterval(minute) AS time, sum(status_2xx) AS "2xx", sum(status_3xx) AS "3xx", sum(status_4xx) AS "4xx", sum(status_5xx) AS "5xx" FROM traffic_minute WHERE ${SITE} AND $__timeFilter(minute) GROUP BY time ORDER BY time`,
      },
      {
        title: 'Error rate',
        kind: 'timeseries',
        w: 12,
        unit: 'percentunit',
        sql: `SELECT $__timeInterval(minute) AS time, (sum(status_4xx) + sum(status_5xx)) / greatest(sum(hits), 1) AS error_rate, sum(status_5xx) / greatest(sum(hits), 1) AS server_error_rate FROM traffic_minute WHERE ${SITE} AND $__timeFilter(minute) GROUP BY time ORDER BY time`,
      },
      {
        title: 'Failing paths',
        kind: 'table',
        w: 12,
        h: 10,
        table: true,
        sql: `SELECT path, sum(status_5xx) AS "5xx", sum(status_4xx) AS "4xx", sum(hits) AS hits FROM pages_hour WHERE ${SITE} AND $__timeFilter(hour) GROUP BY path HAVING "5xx" + "4xx" > 0 ORDER BY "5xx" DESC, "4xx" DESC LIMIT 50`,
      },
      {
        title: 'Response time percentiles',
        kind: 'timeseries',
        w: 12,
        h: 10,
        unit: 'ms',
        sql: `SELECT $__timeInterval(ts) AS time, quantileExact(0.5)(request_time_ms) AS p50, quantileExact(0.9)(request_time_ms) AS p90, quantileExact(0.99)(request_time_ms) AS p99 FROM events WHERE ${SITE} AND timed = 1 AND $__timeFilter(ts) AND ${HUMAN} GROUP BY time ORDER BY time`,
      },
      {
        title: 'Bots and humans',
        kind: 'timeseries',
        w: 12,
        sql: `SELECT $__timeInterval(minute) AS time, sum(hits) AS humans, sum(bot_hits) AS bots FROM traffic_minute WHERE ${SITE} AND $__timeFilter(minute) GROUP BY time ORDER BY time`,
      },
      {
        title: 'Top bots',
        kind: 'table',
        w: 12,
        table: true,
        sql: `SELECT if(bot_name = '', reason, bot_name) AS bot, sum(hits) AS hits FROM bots_minute WHERE ${SITE} AND $__timeFilter(minute) GROUP BY bot ORDER BY hits DESC LIMIT 20`,
      },
      {
        title: 'Why hits were taken for bots',
        kind: 'table',
        w: 12,
        table: true,
        sql: `SELECT reason, sum(hits) AS hits, uniqExact(bot_name) AS names FROM bots_minute WHERE ${SITE} AND $__timeFilter(minute) GROUP BY reason ORDER BY hits DESC`,
      },
    ],
  },
  'pipeline-health': {
    title: 'Scalehouse — Pipeline health',
    panels: [
      {
        title: 'Hits processed',
        kind: 'timeseries',
        w: 24,
        sql: `SELECT $__timeInterval(minute) AS time, sumIf(count, outcome = 'event') AS loaded, sumIf(count, outcome = 'dropped') AS dropped, sumIf(count, outcome = 'dead_letter') AS dead_letters FROM pipeline_stats WHERE $__timeFilter(minute) GROUP BY time ORDER BY time`,
      },
      {
        title: 'Drops and dead letters by reason',
        kind: 'table',
        w: 12,
        table: true,
        sql: `SELECT outcome, reason, sum(count) AS hits FROM pipeline_stats WHERE $__timeFilter(minute) AND outcome != 'event' GROUP BY outcome, reason ORDER BY hits DESC`,
      },
      {
        title: 'Latest dead letters',
        kind: 'table',
        w: 12,
        table: true,
        sql: `SELECT ts, site, reason, detail, position FROM dead_letters WHERE $__timeFilter(ts) ORDER BY ts DESC LIMIT 100`,
      },
    ],
  },
};

function panel(p: PanelDef, i: number, x: number, y: number, filtered: boolean) {
  return {
    id: i + 1,
    type: p.kind,
    // Panels read from rollups cannot apply the channel/device variables: their titles say so.
    title: filtered && !p.sql.includes('${channel') ? `${p.title} (all channels, devices)` : p.title,
    datasource: DS,
    gridPos: { x, y, w: p.w ?? 12, h: p.h ?? (p.kind === 'stat' ? 4 : 8) },
    fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
    options: p.kind === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, graphMode: 'none' } : {},
    targets: [
      {
        refId: 'A',
        datasource: DS,
        editorType: 'sql',
        queryType: p.table ? 'table' : 'timeseries',
        format: p.table || p.kind === 'stat' ? 1 : 0,
        rawSql: p.sql,
      },
    ],
  };
}

for (const [uid, d] of Object.entries(dashboards)) {
  let x = 0;
  let y = 0;
  let rowH = 0;
  const panels = d.panels.map((p, i) => {
    const w = p.w ?? 12;
    if (x + w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const out = panel(p, i, x, y, uid !== 'pipeline-health');
    x += w;
    rowH = Math.max(rowH, out.gridPos.h);
    return out;
  });
  const json = {
    uid: `scalehouse-${uid}`,
    title: d.title,
    tags: ['scalehouse'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '30s',
    time: { from: 'now-24h', to: 'now' },
    templating: { list: uid === 'pipeline-health' ? [] : variables },
    panels,
  };
  writeFileSync(new URL(`./provisioning/dashboards/scalehouse/${uid}.json`, import.meta.url), JSON.stringify(json, null, 2) + '\n');
}
