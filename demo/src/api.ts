// The two JSON endpoints the dashboard reads, as typed values: GET /api/stats (viewer
// reports aggregated per stream, worker/stats) and GET /api/tracker/stats (tracker
// counters, worker/tracker). Everything the pages know about those shapes is in this one
// file, so when a room changes its reply, adapting is one edit here.
// Parsing is defensive: a reply from an older or newer Worker, or a proxy's HTML error
// page, becomes { ok: false, reason } and a visible message, never a TypeError mid-render.
// No fetching policy (polling, back-off) here: that is dashboard.ts.
// The Worker's side of /api/stats is shared/stats-report.ts (StreamStats, StatsReply); the
// figures here are that shape, read leniently.
import type { Result } from "../../shared/result";
import type { StatsReply, StreamStats } from "../../shared/stats-report";

/** One stream's row as the dashboard shows it: the Worker's StreamStats, read leniently. */
export interface StreamFigures extends Omit<StreamStats, "offload" | "errors"> {
  /** p2p / (http + p2p), or null when nothing was downloaded yet. */
  offload: number | null;
  /** Segment errors by type (e.g. p2p-hash-mismatch); empty when the Worker sends none. */
  errors: Record<string, number>;
}

export interface StatsSnapshot extends Omit<StatsReply, "generatedAt" | "streams" | "totals"> {
  generatedAt: number | null;
  streams: StreamFigures[];
  totals: Omit<StreamFigures, "stream">;
}

export interface TrackerFigures {
  swarms: number;
  peers: number;
  sockets: number;
  /** Cumulative message counters by type (announce, offer, answer, scrape, error…). */
  messages: Record<string, number>;
}

export interface TrackerSnapshot extends TrackerFigures {
  /** Per-channel figures when the tracker reports them (channel = stream name). */
  channels: Record<string, TrackerFigures>;
}

export type Parsed<T> = Result<T>;

const MAX_STREAMS = 500; // a dashboard table longer than this is unreadable anyway
const MAX_KEYS = 64; // message/error types: a handful in practice

function obj(x: unknown): Record<string, unknown> | null {
  return typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : null;
}

/** A non-negative finite number, or the fallback. */
function num(x: unknown, fallback = 0): number {
  return typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : fallback;
}

function counters(x: unknown): Record<string, number> {
  const o = obj(x);
  const out: Record<string, number> = {};
  if (!o) return out;
  for (const [k, v] of Object.entries(o).slice(0, MAX_KEYS)) {
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) out[k.slice(0, 48)] = v;
  }
  return out;
}

function figures(o: Record<string, unknown>): Omit<StreamFigures, "stream"> {
  const httpBytes = num(o.httpBytes);
  const p2pBytes = num(o.p2pBytes);
  const total = httpBytes + p2pBytes;
  return {
    viewers: num(o.viewers),
    peers: num(o.peers),
    httpBytes,
    p2pBytes,
    uploadedBytes: num(o.uploadedBytes),
    // Recomputed from bytes: the Worker's 0-when-empty would read as "0% offload".
    offload: total > 0 ? p2pBytes / total : null,
    bytesSaved: num(o.bytesSaved, p2pBytes),
    errors: counters(o.errors),
  };
}

export function parseStats(raw: unknown): Parsed<StatsSnapshot> {
  const o = obj(raw);
  if (!o) return { ok: false, reason: "stats reply is not a JSON object" };
  if (!Array.isArray(o.streams)) return { ok: false, reason: "stats reply has no streams list" };
  const streams: StreamFigures[] = [];
  for (const s of o.streams.slice(0, MAX_STREAMS)) {
    const so = obj(s);
    if (!so || typeof so.stream !== "string" || so.stream.length === 0) continue;
    streams.push({ stream: so.stream.slice(0, 64), ...figures(so) });
  }
  const t = obj(o.totals);
  const totals = t ? figures(t) : sumFigures(streams);
  return { ok: true, value: { generatedAt: typeof o.generatedAt === "number" ? o.generatedAt : null, streams, totals } };
}

/** Totals over streams (offload from summed bytes, never an average of ratios). */
export function sumFigures(list: readonly StreamFigures[]): Omit<StreamFigures, "stream"> {
  const acc = { viewers: 0, peers: 0, httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, bytesSaved: 0, errors: {} as Record<string, number> };
  for (const s of list) {
    acc.viewers += s.viewers;
    acc.peers += s.peers;
    acc.httpBytes += s.httpBytes;
    acc.p2pBytes += s.p2pBytes;
    acc.uploadedBytes += s.uploadedBytes;
    acc.bytesSaved += s.bytesSaved;
    for (const [k, v] of Object.entries(s.errors)) acc.errors[k] = (acc.errors[k] ?? 0) + v;
  }
  const total = acc.httpBytes + acc.p2pBytes;
  return { ...acc, offload: total > 0 ? acc.p2pBytes / total : null };
}

function trackerFigures(o: Record<string, unknown>): TrackerFigures {
  return { swarms: num(o.swarms), peers: num(o.peers), sockets: num(o.sockets), messages: counters(o.messages) };
}

function addFigures(a: TrackerFigures, b: TrackerFigures): TrackerFigures {
  const messages = { ...a.messages };
  for (const [k, v] of Object.entries(b.messages)) messages[k] = (messages[k] ?? 0) + v;
  return { swarms: a.swarms + b.swarms, peers: a.peers + b.peers, sockets: a.sockets + b.sockets, messages };
}

/**
 * The tracker's global view: totals plus `perShard: [{ shard, channel, swarms, peers,
 * sockets, messages }]` (worker/tracker/stats.ts). A channel may span several shards
 * (one per region), so shards are summed per channel here.
 */
export function parseTrackerStats(raw: unknown): Parsed<TrackerSnapshot> {
  const o = obj(raw);
  if (!o) return { ok: false, reason: "tracker stats reply is not a JSON object" };
  const channels: Record<string, TrackerFigures> = {};
  const shards = Array.isArray(o.perShard) ? o.perShard.slice(0, MAX_STREAMS) : [];
  for (const s of shards) {
    const so = obj(s);
    if (!so || typeof so.channel !== "string" || so.channel.length === 0) continue;
    const name = so.channel.slice(0, 64);
    const f = trackerFigures(so);
    const prev = channels[name];
    channels[name] = prev ? addFigures(prev, f) : f;
  }
  return { ok: true, value: { ...trackerFigures(o), channels } };
}

/** Fetches and parses one endpoint; network errors and non-2xx replies become reasons. */
/**
 * GETs `url` and parses the JSON it answers. `bearer` is sent as `Authorization: Bearer …`
 * (the admin token, when the Worker has ADMIN_TOKEN set); a refusal for want of it says
 * `needsToken` so the page can ask for one.
 */
export async function getJson<T>(
  url: string,
  parse: (raw: unknown) => Parsed<T>,
  signal?: AbortSignal,
  bearer?: string,
): Promise<Parsed<T> & { needsToken?: true }> {
  let res: Response;
  try {
    res = await fetch(url, { cache: "no-store", signal, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  } catch (err) {
    return { ok: false, reason: `cannot reach ${url}: ${err instanceof Error ? err.message : String(err)}` };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { ok: false, reason: `${url} answered ${res.status} with something that is not JSON` };
  }
  if (!res.ok) {
    const e = obj(body)?.error;
    const reason = `${url} answered ${res.status}${typeof e === "string" ? `: ${e.slice(0, 200)}` : ""}`;
    return res.status === 401 || res.status === 403 ? { ok: false, reason, needsToken: true } : { ok: false, reason };
  }
  return parse(body);
}
