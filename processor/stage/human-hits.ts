/**
 * The people's hits of a staged batch as the events sessions work on
 * (processor/batch/sessionize.ts): built from the compact rows of
 * clickhouse/queries/stage/human-hits.sql, column by column in its order.
 * Fields no session step reads keep their empty values: the events are
 * written from the engine's own table (processor/load/load-staged.ts), not
 * from these. Pure.
 */
import { emptyEvent, type Event } from '../event.ts';

export function humanHitsOf(tuples: unknown[][]): { humans: Event[]; positions: string[] } {
  const humans: Event[] = [];
  const positions: string[] = [];
  for (const t of tuples) {
    const [position, offset, site, ts, source, eventType, isPageview, visitorId, userAgent, host, method, path, status] = t as [
      string,
      number,
      string,
      number,
      Event['source'],
      Event['eventType'],
      number,
      string,
      string,
      string,
      string,
      string,
      number,
    ];
    const [referrerHost, referrerPath, channel, utmSource, utmMedium, utmCampaign, browser, os, deviceType, country, engagedMs, botName] =
      t.slice(13) as [string, string, string, string, string, string, string, string, string, string, number, string];
    const ev = emptyEvent(site, ts, source);
    ev.eventType = eventType;
    ev.isPageview = Number(isPageview) === 1;
    ev.visitorId = visitorId;
    ev.userAgent = userAgent;
    ev.host = host;
    ev.method = method;
    ev.path = path;
    ev.status = status;
    ev.referrerHost = referrerHost;
    ev.referrerPath = referrerPath;
    ev.channel = channel;
    ev.utm.source = utmSource;
    ev.utm.medium = utmMedium;
    ev.utm.campaign = utmCampaign;
    ev.browser = browser;
    ev.os = os;
    ev.deviceType = deviceType;
    ev.country = country;
    ev.engagedMs = engagedMs;
    ev.botName = botName;
    ev.busOffset = offset;
    humans.push(ev);
    positions.push(position);
  }
  return { humans, positions };
}
