/**
 * Sessionize, over a whole batch: a session is a visitor's run of hits, in
 * event time, with no gap longer than the inactivity timeout (30 minutes by
 * default, as Google Analytics and Plausible use). Hits arrive out of order —
 * Apache's %t is when a request started, and slow upstreams make nginx log
 * late — so a hit joins every held session of its visitor it is within the
 * timeout of (session.ts merges them in any order): it may move a session's
 * start back, or join two sessions into one. A session is held until the
 * stream's newest hit is past its end by the timeout plus the reorder window;
 * a hit later than that starts a session of its own.
 *
 * A pageview both the access log and the beacon report counts once (twins.ts).
 * A visitor whose behaviour makes it a bot (bots/behaviour.ts) is flagged:
 * that hit and every later one of the visitor is a bot's, and the flag tells
 * the loader to move its earlier hits out of the human figures too.
 *
 * Pure: takes the state, returns the rows to write (and the ids to delete:
 * a session's id follows its start), and sets each event's session id (and
 * marks twins).
 */
import type { Event } from '../event.ts';
import { mergeSessions, sessionOf, type Session } from './session.ts';
import { pairable, pairTwin } from './twins.ts';
import { selfReferralHost } from './own-hosts.ts';
import { behaviourVerdict, keptEvidence } from '../bots/behaviour.ts';
import { flagOf, type BotFlag } from './bot-flag.ts';
import { HeldSessions } from './held-sessions.ts';

export interface SessionRules {
  timeoutMs: number;
  reorderMs: number;
}
export const DEFAULT_REORDER_MS = 5 * 60_000;

export interface SessionState {
  /** Held sessions per site and visitor, by start: packed between batches (held-sessions.ts). */
  byVisitor: HeldSessions;
  /** The stream's newest hit time: what "late" is measured against. */
  newest: number;
  /** Visitors found to be bots by behaviour, per site and visitor, while hits of their day may still come. */
  flagged: Map<string, BotFlag>;
}
export const emptySessionState = (): SessionState => ({ byVisitor: new HeldSessions(), newest: 0, flagged: new Map() });

export interface SessionWrites {
  /** Sessions as they are now. */
  sessions: Session[];
  /** Rows written before under an id the session no longer has (its start moved, or it was merged). */
  deleted: { session: Session; id: string; start: number }[];
  /** Host names found to be the sites' own (own-hosts.ts), in the order found. */
  ownHosts: { site: string; host: string }[];
  /** Visitors this batch found to be bots, in the order found. */
  flagged: BotFlag[];
}

export const visitorKey = (site: string, visitorId: string): string => `${site}|${visitorId}`;

/** Applies the events (in bus order, which makes "offset <= lastOffset means applied" hold). */
export function sessionize(state: SessionState, events: Event[], rules: SessionRules): SessionWrites {
  const touched = new Set<Session>();
  // What sessions keep for hits to come is cut against the stream's time when the batch began: a
  // processor that restores them to do this batch again (after a crash) needs what this one had.
  const began = state.newest;
  const own = new Map<string, { site: string; host: string }>();
  const flagged: BotFlag[] = [];
  const ordered = [...events].sort((a, b) => a.busOffset - b.busOffset);
  // The sessions of the visitors this batch reaches, as objects until the batch is done; every other stays packed.
  const working = new Map<string, Session[]>();
  for (const ev of ordered) {
    const key = visitorKey(ev.site, ev.visitorId);
    let held = working.get(key);
    if (!held) working.set(key, (held = state.byVisitor.get(key) ?? []));
    // Redelivered after a crash, and already in the restored state: count it once.
    if (held.some((s) => ev.busOffset <= s.lastOffset)) continue;
    const known = state.flagged.get(key);
    if (known) {
      markBot(ev, known);
      continue;
    }
    // A bot's hit does not move the stream's time on: only sessions do, so a restored state has the same newest.
    const newest = Math.max(state.newest, ev.ts);
    // A pageview the other source already reported counts once; only within the reorder window, like everything late.
    if (newest - ev.ts <= rules.reorderMs)
      pairTwin(
        ev,
        held.map((s) => s.unpaired),
      );
    const verdict = behaviourVerdict(ev, () => (held.length === 1 ? held[0]!.recent : held.flatMap((s) => s.recent)));
    if (verdict) {
      const flag = flagOf(ev, verdict);
      state.flagged.set(key, flag);
      flagged.push(flag);
      markBot(ev, flag);
      continue;
    }
    state.newest = newest;
    // A referral from the site itself is internal: once seen, for every later hit of the batch too.
    const found = selfReferralHost(ev, held);
    if (found) own.set(`${ev.site}|${found}`, { site: ev.site, host: found });
    if (ev.channel === 'referral' && own.has(`${ev.site}|${ev.referrerHost}`)) ev.channel = 'internal';
    const near = held.filter((s) => ev.ts >= s.start - rules.timeoutMs && ev.ts <= s.last + rules.timeoutMs);
    const merged = near.reduce(mergeSessions, sessionOf(ev));
    for (const s of near) touched.delete(s);
    touched.add(merged);
    working.set(
      key,
      held.length === near.length ? [merged] : [...held.filter((s) => !near.includes(s)), merged].sort((a, b) => a.start - b.start),
    );
  }
  // Each event takes the id its session has at the end of the batch, so within a batch no id is superseded.
  for (const ev of events) {
    const s = working.get(visitorKey(ev.site, ev.visitorId))?.find((x) => ev.ts >= x.start && ev.ts <= x.last);
    if (s) ev.sessionId = s.id;
  }
  const deleted: SessionWrites['deleted'] = [];
  for (const s of touched) {
    for (const w of s.written) {
      if (w.id === s.id) continue;
      deleted.push({ session: s, id: w.id, start: w.start });
      if (!s.mergedIds.includes(w.id)) s.mergedIds.push(w.id);
    }
    // What held-slots.ts reads back for a session held between batches: the row it was last written as.
    s.written = [{ id: s.id, start: s.start }];
    s.unpaired = pairable(s.unpaired, began, rules.reorderMs);
    s.recent = keptEvidence(s.recent, began, rules.reorderMs);
  }
  // Every visitor the batch reached is stored back: a pageview paired away (twins.ts) changes a session it did not touch.
  for (const [key, held] of working) state.byVisitor.set(key, held);
  expireSessions(state, rules);
  return { sessions: [...touched], deleted, ownHosts: [...own.values()], flagged };
}

function markBot(ev: Event, flag: BotFlag): void {
  ev.botReason = flag.reason;
  ev.botDetail = flag.detail;
  ev.botName = flag.name;
}

/** Forgets sessions no hit within the reorder window can reach any more. */
export function expireSessions(state: SessionState, rules: SessionRules): void {
  state.byVisitor.dropEndedBefore(state.newest - rules.timeoutMs - rules.reorderMs);
  // A visitor id is a day's (docs/privacy.md): verdicts are kept while their day's salt is (state/session-store.ts restores the same).
  const oldest = flagsKeptFrom(state.newest);
  for (const [key, flag] of state.flagged) if (flag.ts < oldest) state.flagged.delete(key);
}

/** The start of the oldest day whose verdicts are kept: two days before the stream's newest hit's day, as salts are. */
export const flagsKeptFrom = (newest: number): number => Math.floor(newest / DAY_MS) * DAY_MS - 2 * DAY_MS;
const DAY_MS = 86_400_000;
