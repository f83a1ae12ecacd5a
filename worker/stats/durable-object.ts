// StatsHub: one shard of the viewer-report aggregate (see STATS_SHARDS). Thin: it stores
// rows in the object's SQLite, calls the pure rules in aggregate.ts, and answers over RPC.
// It does not parse HTTP or JSON bodies (index.ts does) and holds nothing only in memory.
// The tracker shards tell it which peer_ids announced on each stream (witness, from
// tracker/witness.ts); a new viewer row needs one of those, or a viewer token.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { applyReport, emptyTotals, peerKey, summarize, type Totals, type ViewerRow } from "./aggregate";
import { WITNESS_TTL_MS } from "../tracker/limits";
import { REPORT_INTERVAL_MS, VIEWER_TTL_MS } from "../../shared/limits";
import { MAX_SIGHTINGS_PER_SHARD, MAX_STREAMS_PER_SHARD, MAX_VIEWERS_PER_STREAM, STREAM_TTL_MS } from "./limits";
import { isIdle, spend, type ClientBudget } from "./client-budget";
import { ERROR_TYPES, emptyErrors, type ErrorCounts, type Report, type StreamStats } from "../../shared/stats-report";

export type ReportOutcome = { ok: true; next: number } | { ok: false; status: number; error: string };

type Row = Record<string, SqlStorageValue>;

function num(v: SqlStorageValue | undefined): number {
  return typeof v === "number" ? v : 0;
}

/** Error counts come back from our own JSON column; anything odd reads as zero, never throws. */
function errorsOf(v: SqlStorageValue | undefined): ErrorCounts {
  const out = emptyErrors();
  if (typeof v !== "string") return out;
  try {
    const o = JSON.parse(v) as Record<string, unknown>;
    for (const k of ERROR_TYPES) if (typeof o[k] === "number") out[k] = o[k] as number;
  } catch {
    /* keep zeros */
  }
  return out;
}

function viewerOf(r: Row): ViewerRow {
  const peer = typeof r.peer === "string" ? { peer: r.peer } : {};
  return {
    ...peer,
    stream: String(r.stream),
    viewer: String(r.viewer),
    http: num(r.http),
    p2p: num(r.p2p),
    up: num(r.up),
    peers: num(r.peers),
    errors: errorsOf(r.errors),
    firstSeen: num(r.first_seen),
    lastSeen: num(r.last_seen),
  };
}

export class StatsHub extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** When the last expiry sweep ran. Only a throttle: losing it on eviction just sweeps again. */
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS streams (
      name TEXT PRIMARY KEY, http INTEGER NOT NULL, p2p INTEGER NOT NULL, up INTEGER NOT NULL,
      errors TEXT NOT NULL, last_seen INTEGER NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS viewers (
      stream TEXT NOT NULL, viewer TEXT NOT NULL, http INTEGER NOT NULL, p2p INTEGER NOT NULL,
      up INTEGER NOT NULL, peers INTEGER NOT NULL, errors TEXT NOT NULL,
      first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, PRIMARY KEY (stream, viewer))`);
    // Expiry scans by age on every sweep; without this index a sweep reads every viewer row.
    this.sql.exec("CREATE INDEX IF NOT EXISTS viewers_last_seen ON viewers (last_seen)");
    this.sql.exec("CREATE INDEX IF NOT EXISTS streams_last_seen ON streams (last_seen)");
    // Per-address report budgets (client-budget.ts); a row that has refilled is dropped.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS clients (
      key TEXT PRIMARY KEY, reports REAL NOT NULL, reports_at INTEGER NOT NULL,
      fresh REAL NOT NULL, fresh_at INTEGER NOT NULL)`);
    this.sql.exec("CREATE INDEX IF NOT EXISTS clients_reports_at ON clients (reports_at)");
    // The peer_id that vouched for a viewer row (aggregate.ts peerKey). Added after the table
    // existed: stored objects get the column on their next start.
    const cols = this.sql.exec("PRAGMA table_info(viewers)").toArray();
    if (!cols.some((c) => c.name === "peer")) this.sql.exec("ALTER TABLE viewers ADD COLUMN peer TEXT");
    this.sql.exec("CREATE INDEX IF NOT EXISTS viewers_peer ON viewers (stream, peer)");
    // Peer_ids the tracker saw announce on a stream (witness), trusted until `until`.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS sightings (
      stream TEXT NOT NULL, peer TEXT NOT NULL, since INTEGER NOT NULL, until INTEGER NOT NULL,
      PRIMARY KEY (stream, peer))`);
    this.sql.exec("CREATE INDEX IF NOT EXISTS sightings_until ON sightings (until)");
  }

  /**
   * RPC from a TrackerShard: these peer_ids announced on `stream` at `now`. A sighting keeps
   * its first `since` (the plausibility bound counts from it) while it is refreshed.
   */
  async witness(stream: string, peers: string[], now: number): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const p of peers) {
        this.sql.exec(
          `INSERT INTO sightings (stream, peer, since, until) VALUES (?, ?, ?, ?)
          ON CONFLICT (stream, peer) DO UPDATE SET until = excluded.until,
          since = CASE WHEN sightings.until < excluded.since THEN excluded.since ELSE MIN(sightings.since, excluded.since) END`,
          stream,
          peerKey(p),
          now,
          now + WITNESS_TTL_MS,
        );
      }
      const n = num(this.sql.exec("SELECT COUNT(*) AS n FROM sightings").one().n);
      if (n > MAX_SIGHTINGS_PER_SHARD) {
        this.sql.exec("DELETE FROM sightings WHERE rowid IN (SELECT rowid FROM sightings ORDER BY until LIMIT ?)", n - MAX_SIGHTINGS_PER_SHARD);
      }
    });
  }

  /**
   * Why a new viewer row may not be created now, or when it was first known. Token-bearing
   * reports need no sighting; one peer_id backs at most one live row, so a copied peer_id
   * cannot mint many viewers.
   */
  private vouch(report: Report, now: number, tokened: boolean): { ok: true; since: number } | { ok: false; error: string } {
    const key = report.peer === undefined ? undefined : peerKey(report.peer);
    if (key !== undefined) {
      const held = this.sql.exec("SELECT viewer FROM viewers WHERE stream = ? AND peer = ? LIMIT 1", report.stream, key).toArray()[0];
      if (held) return { ok: false, error: "this peer_id already backs another viewer of this stream; retry later" };
    }
    if (tokened) return { ok: true, since: now };
    if (key === undefined) return { ok: false, error: "report carries no tracker peer_id; viewer not seen by the tracker on this stream" };
    const seen = this.sql.exec("SELECT since FROM sightings WHERE stream = ? AND peer = ? AND until > ?", report.stream, key, now).toArray()[0];
    if (!seen) return { ok: false, error: "viewer not seen by the tracker on this stream; retry later" };
    return { ok: true, since: num(seen.since) };
  }

  private budgetOf(client: string): ClientBudget | undefined {
    const r = this.sql.exec("SELECT * FROM clients WHERE key = ?", client).toArray()[0];
    return r ? { reports: { tokens: num(r.reports), at: num(r.reports_at) }, fresh: { tokens: num(r.fresh), at: num(r.fresh_at) } } : undefined;
  }

  private saveBudget(client: string, b: ClientBudget): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO clients (key, reports, reports_at, fresh, fresh_at) VALUES (?, ?, ?, ?, ?)",
      client,
      b.reports.tokens,
      b.reports.at,
      b.fresh.tokens,
      b.fresh.at,
    );
  }

  /**
   * Records one validated report (index.ts parsed it) sent from `client` (access/address.ts addressKey of the
   * sender's address), charged to that client's budget first. `tokened`: it carried a valid
   * viewer token for its stream, which vouches for a new viewer without the tracker.
   */
  async report(report: Report, now: number, client: string, tokened = false): Promise<ReportOutcome> {
    this.expire(now);
    const stream = this.sql.exec("SELECT name FROM streams WHERE name = ?", report.stream).toArray()[0];
    const prevRow = this.sql.exec("SELECT * FROM viewers WHERE stream = ? AND viewer = ?", report.stream, report.viewer).toArray()[0];
    const spent = spend(this.budgetOf(client), now, prevRow === undefined);
    this.saveBudget(client, spent.budget);
    if (!spent.ok) return { ok: false, status: 429, error: spent.error };
    let since = now;
    if (!prevRow) {
      const vouched = this.vouch(report, now, tokened);
      if (!vouched.ok) return { ok: false, status: 403, error: vouched.error };
      since = vouched.since;
    }
    if (!stream) {
      const count = num(this.sql.exec("SELECT COUNT(*) AS n FROM streams").one().n);
      if (count >= MAX_STREAMS_PER_SHARD && !this.evictIdleStream()) {
        return { ok: false, status: 503, error: "too many streams are being tracked; try later" };
      }
    }
    if (!prevRow) {
      const n = num(this.sql.exec("SELECT COUNT(*) AS n FROM viewers WHERE stream = ?", report.stream).one().n);
      if (n >= MAX_VIEWERS_PER_STREAM) return { ok: false, status: 429, error: "too many viewers reporting for this stream" };
    }
    const applied = applyReport(prevRow ? viewerOf(prevRow) : undefined, report, now, since);
    if (!applied.ok) return { ok: false, status: applied.status, error: applied.reason };
    const v = applied.row;
    this.ctx.storage.transactionSync(() => {
      if (!stream) {
        this.sql.exec("INSERT INTO streams (name, http, p2p, up, errors, last_seen) VALUES (?, 0, 0, 0, ?, ?)", v.stream, JSON.stringify(emptyErrors()), now);
      } else {
        this.sql.exec("UPDATE streams SET last_seen = ? WHERE name = ?", now, v.stream);
      }
      this.sql.exec(
        `INSERT OR REPLACE INTO viewers (stream, viewer, http, p2p, up, peers, errors, first_seen, last_seen, peer)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        v.stream,
        v.viewer,
        v.http,
        v.p2p,
        v.up,
        v.peers,
        JSON.stringify(v.errors),
        v.firstSeen,
        v.lastSeen,
        v.peer ?? null,
      );
    });
    return { ok: true, next: REPORT_INTERVAL_MS };
  }

  /** Per-stream figures for this shard; one stream when `only` is given. */
  async stats(now: number, only?: string): Promise<StreamStats[]> {
    this.expire(now, true);
    const streams = only
      ? this.sql.exec("SELECT * FROM streams WHERE name = ?", only).toArray()
      : this.sql.exec("SELECT * FROM streams ORDER BY name").toArray();
    return streams.map((s) => {
      const name = String(s.name);
      const live = this.sql.exec("SELECT * FROM viewers WHERE stream = ?", name).toArray().map(viewerOf);
      const retired: Totals = { http: num(s.http), p2p: num(s.p2p), up: num(s.up), errors: errorsOf(s.errors) };
      return summarize(name, retired, live);
    });
  }

  /**
   * Folds viewers silent for VIEWER_TTL_MS into their stream's retired totals (their bytes
   * stay counted), then forgets streams with no live viewer for STREAM_TTL_MS.
   */
  private expire(now: number, force = false): void {
    // One sweep per second is plenty for a 30 s TTL and keeps a burst of reports cheap;
    // reads always sweep so the viewer count they show is exact.
    if (!force && now >= this.lastSweep && now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    const gone = this.sql
      .exec("SELECT * FROM viewers WHERE last_seen < ?", now - VIEWER_TTL_MS)
      .toArray()
      .map(viewerOf);
    if (gone.length > 0) {
      this.ctx.storage.transactionSync(() => {
        for (const v of gone) {
          const s = this.sql.exec("SELECT * FROM streams WHERE name = ?", v.stream).toArray()[0];
          const base: Totals = s ? { http: num(s.http), p2p: num(s.p2p), up: num(s.up), errors: errorsOf(s.errors) } : emptyTotals();
          const t = summarize(v.stream, base, [v]);
          this.sql.exec(
            "INSERT OR REPLACE INTO streams (name, http, p2p, up, errors, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
            v.stream,
            t.httpBytes,
            t.p2pBytes,
            t.uploadedBytes,
            JSON.stringify(t.errors),
            Math.max(num(s?.last_seen), v.lastSeen),
          );
          this.sql.exec("DELETE FROM viewers WHERE stream = ? AND viewer = ?", v.stream, v.viewer);
        }
      });
    }
    // Budgets untouched for a minute or more may have refilled; those that have are dropped,
    // so the table holds only addresses that reported lately.
    for (const r of this.sql.exec("SELECT * FROM clients WHERE reports_at < ? AND fresh_at < ?", now - 60_000, now - 60_000).toArray()) {
      const b: ClientBudget = { reports: { tokens: num(r.reports), at: num(r.reports_at) }, fresh: { tokens: num(r.fresh), at: num(r.fresh_at) } };
      if (isIdle(b, now)) this.sql.exec("DELETE FROM clients WHERE key = ?", String(r.key));
    }
    this.sql.exec("DELETE FROM sightings WHERE until <= ?", now);
    this.sql.exec(
      `DELETE FROM streams WHERE last_seen < ? AND NOT EXISTS
      (SELECT 1 FROM viewers WHERE viewers.stream = streams.name)`,
      now - STREAM_TTL_MS,
    );
  }

  /** Makes room for a new stream by dropping the longest-idle one without live viewers. */
  private evictIdleStream(): boolean {
    const idle = this.sql
      .exec(
        `SELECT name FROM streams WHERE NOT EXISTS
      (SELECT 1 FROM viewers WHERE viewers.stream = streams.name) ORDER BY last_seen LIMIT 1`,
      )
      .toArray()[0];
    if (!idle) return false;
    this.sql.exec("DELETE FROM streams WHERE name = ?", String(idle.name));
    return true;
  }
}
