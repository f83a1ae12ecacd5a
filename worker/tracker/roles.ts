// Fetcher roles inside one swarm: applies a viewer's es_report and re-plans who fetches each
// new segment over HTTP (fetchers.ts) every ROLE_PLAN_MS, or sooner (but at most every
// ROLE_REPLAN_MIN_MS) when a report changes whether its viewer is proven. A report costs O(1)
// between plans: the stream profile is the plan's, and only a plan can change others' roles. Each reporting viewer is told its role when it
// changes: "claims" while the swarm has no proven viewer (up to FETCHER_CLAIMERS viewers claim
// at the edge, the first claim wins: that is how the first fetchers prove themselves; the
// others hear "roles" with no classes), then "roles" with its
// classes (empty: a non-fetcher, which never asks the edge about a segment). Pure: effects
// are returned. Viewers that never report (stock WebTorrent clients) count towards the
// swarm's size but are never fetchers, and never get an es_role frame (their client would
// take it for an error).
import { isProven, planFetchers, type StreamProfile, type ViewerRecord } from "./fetchers";
import { FETCHER_CLAIMERS, ROLE_PLAN_MS, ROLE_REPLAN_MIN_MS, VIEWER_REPORT_S } from "./limits";
import type { ReportIn } from "./protocol";
import type { Effect, Member, SocketState, Swarm, TrackerState } from "./state";

/** A report older than two periods is stale: the viewer may be gone or stuck. */
const REPORT_FRESH_MS = 2 * VIEWER_REPORT_S * 1000;

export type ReportOutcome = { ok: true; effects: Effect[] } | { ok: false; reason: "not-member" | "not-owner" };

/** Records `msg` from socket `s`; re-plans the swarm when due; returns the role frames to send. */
export function applyReport(state: TrackerState, s: SocketState, msg: ReportIn, now: number): ReportOutcome {
  const swarm = state.swarms.get(msg.infoHash);
  const me = swarm?.byPeer.get(msg.peerId);
  if (!swarm || !me) return { ok: false, reason: "not-member" };
  if (me.sock !== s.id) return { ok: false, reason: "not-owner" };
  const wasProven = provenNow(swarm, me, now);
  const { action: _a, infoHash: _h, peerId: _p, ...figures } = msg;
  me.report = { at: now, ...figures };
  me.lastSeen = Math.max(me.lastSeen, now);
  const since = now - swarm.plannedAt;
  const due = since >= ROLE_PLAN_MS || (since >= ROLE_REPLAN_MIN_MS && provenNow(swarm, me, now) !== wasProven);
  if (due) replan(swarm, now);
  return { ok: true, effects: roleUpdates(swarm, due ? swarm.members : [me], state.bucket) };
}

/** The policy's view of a member; a stale or missing report reads as "no record". */
function record(m: Member, now: number): ViewerRecord {
  const r = m.report && now - m.report.at <= REPORT_FRESH_MS ? m.report : undefined;
  return { id: m.peerId, joinedAt: m.joinedAt, rateBps: r?.rate ?? null, peers: r?.peers ?? 0, reports: r !== undefined };
}

/** The policy's view of each member. */
export function records(swarm: Swarm, now: number): ViewerRecord[] {
  return swarm.members.map((m) => record(m, now));
}

/** Against the last plan's stream profile; before any plan, against the viewer's own figures. */
function provenNow(swarm: Swarm, m: Member, now: number): boolean {
  const stream = swarm.stream ?? m.report;
  return stream !== undefined && isProven(record(m, now), stream);
}

/** The stream as the swarm's reporters see it: the median of each figure. */
export function profile(swarm: Swarm, now: number): StreamProfile | null {
  const reps = swarm.members.flatMap((m) => (m.report && now - m.report.at <= REPORT_FRESH_MS ? [m.report] : []));
  if (reps.length === 0) return null;
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    segmentBytes: median(reps.map((r) => r.segmentBytes)),
    segmentSeconds: median(reps.map((r) => r.segmentSeconds)),
    budgetSeconds: median(reps.map((r) => r.budgetSeconds)),
  };
}

function replan(swarm: Swarm, now: number): void {
  const stream = profile(swarm, now);
  if (!stream) return;
  swarm.stream = stream;
  swarm.plan = planFetchers(records(swarm, now), stream, swarm.plan);
  swarm.plannedAt = now;
}

/**
 * An es_role frame for each of `members` that reports and whose role differs from what it was
 * told. With no plan, a reporter claims if it is one of the plan's claimers or there is room
 * for one more (FETCHER_CLAIMERS); otherwise it is a non-fetcher ("roles", no classes) until
 * a plan or the next pick makes it a claimer.
 */
function roleUpdates(swarm: Swarm, members: readonly Member[], bucket: number): Effect[] {
  const out: Effect[] = [];
  const { plan } = swarm;
  for (const m of members) {
    if (!m.report) continue;
    if (plan.m === 0 && !plan.claimers.has(m.peerId) && plan.claimers.size < FETCHER_CLAIMERS) plan.claimers.add(m.peerId);
    const mode = plan.m > 0 || !plan.claimers.has(m.peerId) ? "roles" : "claims";
    const classes = swarm.plan.roles.get(m.peerId) ?? [];
    const key = `${mode}:${classes.join(",")}`;
    if (m.roleSent === key) continue;
    m.roleSent = key;
    out.push({ kind: "send", to: m.sock, msg: { type: "role", infoHash: m.infoHash, mode, classes: [...classes], m: swarm.plan.m, bucket } });
  }
  return out;
}
