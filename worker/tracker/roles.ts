// Fetcher roles inside one swarm: applies a viewer's es_report and, at most every
// ROLE_PLAN_MS, re-plans who fetches each new segment over HTTP (fetchers.ts), telling each
// reporting viewer its classes when they change. Pure: effects are returned. Viewers that
// never report (stock WebTorrent clients) count towards the swarm's size but are never
// fetchers, and never receive an es_role frame (their client would take it for an error).
import { planFetchers, type StreamProfile, type ViewerRecord } from "./fetchers";
import { ROLE_PLAN_MS, VIEWER_REPORT_S } from "./limits";
import type { ReportIn } from "./protocol";
import type { Effect, SocketState, Swarm, TrackerState } from "./state";

/** A report older than two periods is stale: the viewer may be gone or stuck. */
const REPORT_FRESH_MS = 2 * VIEWER_REPORT_S * 1000;

export type ReportOutcome = { ok: true; effects: Effect[] } | { ok: false; reason: "not-member" | "not-owner" };

/** Records `msg` from socket `s`; re-plans the swarm when due; returns the role frames to send. */
export function applyReport(state: TrackerState, s: SocketState, msg: ReportIn, now: number): ReportOutcome {
  const swarm = state.swarms.get(msg.infoHash);
  const me = swarm?.byPeer.get(msg.peerId);
  if (!swarm || !me) return { ok: false, reason: "not-member" };
  if (me.sock !== s.id) return { ok: false, reason: "not-owner" };
  me.report = {
    at: now, up: msg.up, rate: msg.rate, peers: msg.peers,
    segmentBytes: msg.segmentBytes, segmentSeconds: msg.segmentSeconds, budgetSeconds: msg.budgetSeconds,
  };
  me.lastSeen = Math.max(me.lastSeen, now);
  if (now - swarm.plannedAt >= ROLE_PLAN_MS) replan(swarm, now);
  return { ok: true, effects: roleUpdates(swarm, state.bucket) };
}

/** The policy's view of each member; stale or missing reports read as "no record". */
export function records(swarm: Swarm, now: number): ViewerRecord[] {
  return swarm.members.map((m) => {
    const r = m.report && now - m.report.at <= REPORT_FRESH_MS ? m.report : undefined;
    return { id: m.peerId, joinedAt: m.joinedAt, upBps: r?.up ?? 0, rateBps: r?.rate ?? null, peers: r?.peers ?? 0 };
  });
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
  swarm.plan = planFetchers(records(swarm, now), stream, now, swarm.plan);
  swarm.plannedAt = now;
}

/** An es_role frame for every reporting member whose classes differ from what it was told. */
function roleUpdates(swarm: Swarm, bucket: number): Effect[] {
  const out: Effect[] = [];
  for (const m of swarm.members) {
    if (!m.report) continue;
    const classes = swarm.plan.roles.get(m.peerId) ?? [];
    const key = classes.join(",");
    if (m.roleSent === key) continue;
    m.roleSent = key;
    out.push({ kind: "send", to: m.sock, msg: { type: "role", infoHash: m.infoHash, classes: [...classes], m: swarm.plan.m, bucket } });
  }
  return out;
}
