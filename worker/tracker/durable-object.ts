// TrackerShard: the Durable Object holding one shard's tracker sockets (hibernatable).
// Thin: decode a frame (protocol.ts), apply it (swarm.ts), send/close/persist the
// effects. Membership lives in each socket's attachment, so a wake from hibernation
// or an eviction rebuilds the swarms from ctx.getWebSockets() with no storage read
// on the hot path. Storage holds only: counters (flushed by the alarm), outage mode,
// shard name, and whether the shard is listed in the registry (registry.ts).
// It is also the witness of who watches (witness.ts): the alarm pushes the peer_ids and
// addresses it saw announce to the channel's StatsHub and the region's SegmentLeases.
import { DurableObject } from "cloudflare:workers";
import { OffsetClock } from "../../shared/clock";
import type { Env } from "../env";
import { jsonError } from "../http";
import { parse, serialize } from "./protocol";
import { admit, closeIdle, handle, refuse } from "./swarm";
import {
  addSocket,
  createState,
  membershipRecords,
  nextExpiry,
  nextIdleClose,
  peerCount,
  removeSocket,
  restoreSocket,
  sweep,
  type Counters,
  type Effect,
  type SocketId,
  type TrackerState,
} from "./state";
import { directory } from "./directory";
import {
  DIRECTORY_REPORT_MS,
  JOIN_REPORT_BATCH,
  MAX_SOCKETS_PER_IP,
  MAX_SOCKETS_PER_SHARD,
  MIN_JOIN_PERIOD_MS,
  SOCKET_IDLE_MS,
  STATS_FLUSH_MS,
} from "./limits";
import { addressTag, admitJoin, CAP_TAG_PREFIX, joinDemand, newJoinGate, type JoinGate } from "./admission";
import { addressKey } from "../access/address";
import { createWitness, noteSeen, takeBatch, unmark, type Witness, type WitnessBatch } from "./witness";
import { shardName as statsShardName, shardOf } from "../stats/aggregate";
import { STATS_SHARDS } from "../stats/limits";
import { RegistryListing } from "./registry";
import { CHANNEL_HEADER, FULL_HEADER, JOIN_DEMAND_HEADER, parseShardName, SHARD_HEADER } from "./routing";
import { readAttachment, readCounters, type Attachment } from "./attachment";

export type OutageMode = "ok" | "refuse" | "close";

export interface ShardStats {
  shard: string | null;
  channel: string | null;
  swarms: number;
  peers: number;
  sockets: number;
  /** When this instance was constructed (last wake from hibernation or eviction). */
  wokeAt: number;
  messages: Counters;
}

export class TrackerShard extends DurableObject<Env> {
  private state: TrackerState;
  private wsById = new Map<SocketId, WebSocket>();
  private idByWs = new Map<WebSocket, SocketId>();
  private nextId = 1;
  private alarmAt: number | null = null;
  private countersDirty = false;
  private outage: OutageMode = "ok";
  private readonly listing: RegistryListing;
  private sizeReportedAt = -Infinity;
  /** Upgrades asked for since the last report to the directory, and when the first of them came. */
  private joins = 0;
  private joinsSince = 0;
  /** This shard's join rate and demand (admission.ts); memory only, full again after a wake. */
  private readonly joinGate: JoinGate = newJoinGate(Date.now());
  /** Sightings not yet pushed to the StatsHub and SegmentLeases; memory only (witness.ts). */
  private readonly witness: Witness = createWitness();
  /** Wall time; only the test hook (EDGESWARM_TEST_HOOKS) moves it ahead, to drive expiry. */
  private readonly clock = new OffsetClock();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.listing = new RegistryListing(ctx, env);
    // TRACKER_RATE_LIMIT=off exists for synthetic benchmarks only (see docs/tracker.md).
    this.state = createState(Date.now(), Reflect.get(env, "TRACKER_RATE_LIMIT") !== "off");
    // Rebuild swarms from the live sockets: this is the only copy of membership,
    // and it survives hibernation and eviction together with the sockets.
    for (const ws of ctx.getWebSockets()) this.adopt(ws);
    ctx.blockConcurrencyWhile(async () => {
      const [alarmAt, counters, outage, meta] = await Promise.all([
        ctx.storage.getAlarm(),
        ctx.storage.get("counters"),
        ctx.storage.get("outage"),
        ctx.storage.get("meta"),
      ]);
      this.alarmAt = alarmAt;
      this.state.counters = readCounters(counters);
      if (outage === "refuse" || outage === "close") this.outage = outage;
      this.listing.restore(meta);
      if (this.listing.name) this.state.bucket = parseShardName(this.listing.name).bucket;
    });
  }

  private now(): number {
    return this.clock.now();
  }

  /** Registers a socket found after a wake (or unknown to the maps) from its attachment. */
  private adopt(ws: WebSocket): SocketId | null {
    let att: Attachment | null = null;
    try {
      att = readAttachment(ws.deserializeAttachment());
    } catch {
      att = null;
    }
    if (!att || att.closed) return null;
    this.wsById.set(att.id, ws);
    this.idByWs.set(ws, att.id);
    if (att.id >= this.nextId) this.nextId = att.id + 1;
    if (!this.state.sockets.has(att.id)) restoreSocket(this.state, att.id, att.m, att.i, this.capTag(ws));
    return att.id;
  }

  /** A socket's MAX_SOCKETS_PER_IP tag (its address group for offers), or null: loopback, or accepted before tags. */
  private capTag(ws: WebSocket): string | null {
    try {
      return this.ctx.getTags(ws).find((t) => t.startsWith(CAP_TAG_PREFIX)) ?? null;
    } catch {
      return null;
    }
  }

  private idOf(ws: WebSocket): SocketId | null {
    return this.idByWs.get(ws) ?? this.adopt(ws);
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return jsonError(426, "expected a WebSocket upgrade");
    if (this.outage !== "ok") return jsonError(503, "tracker unavailable");
    if (this.ctx.getWebSockets().length >= MAX_SOCKETS_PER_SHARD) return jsonError(503, "tracker shard full", { [FULL_HEADER]: "1" });
    // Sockets are tagged with their address, so the count is the platform's and survives hibernation.
    const tag = addressTag(request.headers.get("cf-connecting-ip"));
    if (tag && this.ctx.getWebSockets(tag).length >= MAX_SOCKETS_PER_IP) return jsonError(429, "too many tracker connections from this address");
    // A flash crowd: tell the directory now, so it opens buckets before this shard fills.
    // Joins asked for count, refused ones too: they are what the region must absorb.
    if (this.joins++ === 0) this.joinsSince = this.now();
    if (this.joins >= JOIN_REPORT_BATCH) this.ctx.waitUntil(this.reportSize(this.now(), true));
    // Past its join rate the shard answers "full": the Worker grows the region for the
    // demand it states and retries on another bucket (admission.ts, connect.ts). Like the
    // address cap, not for upgrades from this machine (tests, wrangler dev: no tag).
    // TRACKER_RATE_LIMIT=off lifts it too (state.rateLimits): a load generator opens hundreds of sockets at once.
    if (this.state.rateLimits && tag !== null && !admitJoin(this.joinGate, this.now())) {
      return jsonError(503, "tracker shard busy", { [FULL_HEADER]: "1", [JOIN_DEMAND_HEADER]: String(Math.round(joinDemand(this.joinGate, this.now()))) });
    }
    const name = request.headers.get(SHARD_HEADER);
    this.listing.join(name, request.headers.get(CHANNEL_HEADER));
    if (name) this.state.bucket = parseShardName(name).bucket;
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const id = this.nextId++;
    const now = this.now();
    // Every socket also carries its address key (loopback and "unknown" included, unlike
    // the cap's tag): the witness tells the lease object which addresses have a socket.
    const where = `${ADDRESS_TAG}${addressKey(request.headers.get("cf-connecting-ip"))}`;
    this.ctx.acceptWebSocket(server, tag ? [tag, where] : [where]);
    const att: Attachment = { v: 1, id, m: [], i: now };
    server.serializeAttachment(att);
    this.wsById.set(id, server);
    this.idByWs.set(server, id);
    addSocket(this.state, id, now, tag);
    // A socket that never announces is closed by the alarm (SOCKET_IDLE_MS).
    this.scheduleAlarm(now, false, now + SOCKET_IDLE_MS);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    try {
      const id = this.idOf(ws);
      if (id === null) {
        // Closed by us already (or unreadable state): ignore its frames, make sure it goes.
        this.safeClose(ws, 1008, "connection closed by tracker");
        return;
      }
      const now = this.now();
      // Budget first: a flooding socket must not even cost a JSON.parse per frame.
      const flood = admit(this.state, id, now);
      if (flood) {
        this.apply(flood);
      } else {
        const parsed = parse(message);
        this.apply(parsed.ok ? handle(this.state, id, parsed.msg, now, Math.random) : refuse(this.state, id, parsed.reason, parsed.action, parsed.infoHash));
        if (parsed.ok && parsed.msg.action === "announce") this.witnessAnnounce(ws, id, parsed.msg.infoHash, parsed.msg.peerId, now);
      }
      this.countersDirty = true;
      this.scheduleAlarm(now);
    } catch (err) {
      // Nothing a client sends may take the object down; log and keep serving.
      console.error("tracker message handler", err);
    }
  }

  /** An announce the swarm accepted (the peer is a member now) is a sighting for the witness. */
  private witnessAnnounce(ws: WebSocket, id: SocketId, infoHash: string, peerId: string, now: number): void {
    if (this.state.swarms.get(infoHash)?.byPeer.get(peerId)?.sock !== id) return;
    let address: string | null = null;
    try {
      const t = this.ctx.getTags(ws).find((x) => x.startsWith(ADDRESS_TAG));
      if (t) address = t.slice(ADDRESS_TAG.length);
    } catch {
      // A socket accepted before sockets carried the tag: its peer_id still counts.
    }
    const due = noteSeen(this.witness, peerId, address, now);
    if (due !== null) this.scheduleAlarm(now, false, due);
  }

  /** Tells the channel's StatsHub and the region's SegmentLeases what this shard saw. */
  private async pushWitness(batch: WitnessBatch, now: number): Promise<void> {
    const name = this.listing.name;
    if (!name) return;
    // A shard's name is its channel, then "#<continent>" and "~<bucket>" (routing.ts); neither mark is a channel char.
    const channel = this.listing.channel ?? parseShardName(name).region.split("#")[0]!;
    const jobs: Promise<void>[] = [];
    if (batch.peers.length > 0) {
      const hub = this.env.STATS.get(this.env.STATS.idFromName(statsShardName(shardOf(channel, STATS_SHARDS))));
      jobs.push(hub.witness(channel, batch.peers, now));
    }
    // The lease object of this shard's region: claim.ts names it shardName(channel, mode, cf).
    if (batch.addrs.length > 0) jobs.push(this.env.LEASES.getByName(parseShardName(name).region).witness(batch.addrs));
    const failed = (await Promise.allSettled(jobs)).filter((r) => r.status === "rejected");
    if (failed.length > 0) {
      // Advisory: the viewer's reports and claims wait for the next announce to push again.
      console.error("tracker witness push failed", failed[0]);
      unmark(this.witness, batch);
    }
  }

  private apply(effects: Effect[]): void {
    const persisted = new Set<SocketId>();
    for (const e of effects) {
      const ws = this.wsById.get(e.to);
      if (!ws) continue;
      switch (e.kind) {
        case "send":
          try {
            ws.send(serialize(e.msg));
          } catch {
            // Socket already closing: its webSocketClose will clean up.
          }
          break;
        case "close":
          this.drop(e.to);
          this.safeClose(ws, e.code, e.reason);
          break;
        case "persist":
          persisted.add(e.to);
          break;
        default: {
          const never: never = e;
          void never;
        }
      }
    }
    for (const id of persisted) this.persist(id);
  }

  private persist(id: SocketId): void {
    const ws = this.wsById.get(id);
    const s = this.state.sockets.get(id);
    if (!ws || !s) return;
    const att: Attachment = { v: 1, id, m: membershipRecords(s) };
    if (s.idleSince !== null) att.i = s.idleSince;
    try {
      ws.serializeAttachment(att);
    } catch (err) {
      console.error("tracker attachment", err);
    }
  }

  private safeClose(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // Already closed or closing.
    }
  }

  /** Forgets a socket: leaves all its swarms at once. */
  private drop(id: SocketId): void {
    removeSocket(this.state, id);
    const ws = this.wsById.get(id);
    this.wsById.delete(id);
    if (ws) {
      this.idByWs.delete(ws);
      try {
        const att: Attachment = { v: 1, id, m: [], closed: true };
        ws.serializeAttachment(att);
      } catch {
        // Closed sockets may refuse; they are not returned by getWebSockets() anyway.
      }
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.onGone(ws);
    // Before compat date 2026-04-07 workerd does not auto-reply to a close frame.
    this.safeClose(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.onGone(ws);
  }

  private onGone(ws: WebSocket): void {
    try {
      const id = this.idByWs.get(ws) ?? this.adopt(ws);
      if (id !== null) this.drop(id);
      this.countersDirty = true;
      this.scheduleAlarm(this.now());
    } catch (err) {
      console.error("tracker close handler", err);
    }
  }

  /**
   * Keeps one alarm pending while there is anything to do: a counter flush soon
   * after activity, else the next peer expiry; none when idle. On the message path
   * this is O(1): a refreshed or new peer expires after any alarm already set, so
   * only the alarm handler computes the exact next expiry (O(peers), once per alarm).
   */
  private scheduleAlarm(now: number, exact = false, atMost: number | null = null): void {
    let want: number | null = exact ? minOf(minOf(nextExpiry(this.state), nextIdleClose(this.state)), this.witness.dueAt) : atMost;
    if (this.countersDirty) want = Math.min(want ?? Infinity, now + STATS_FLUSH_MS);
    if (want === null) return;
    if (this.alarmAt !== null && this.alarmAt <= want) return;
    this.alarmAt = want;
    this.ctx.storage.setAlarm(this.clock.toWall(want)).catch((err) => console.error("setAlarm", err));
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = this.now();
    for (const id of sweep(this.state, now)) this.persist(id);
    const idle = closeIdle(this.state, now);
    if (idle.length > 0) {
      this.apply(idle);
      this.countersDirty = true;
    }
    // Whatever woke the alarm, pending sightings go now: one wake-up instead of two.
    const batch = takeBatch(this.witness, now, true);
    if (batch) await this.pushWitness(batch, now);
    await this.flush();
    await this.reportSize(now);
    if (this.ctx.getWebSockets().length === 0 && peerCount(this.state) === 0) {
      await this.listing.leave(() => this.ctx.getWebSockets().length > 0);
    }
    this.scheduleAlarm(now, true);
  }

  /** Tells the region's directory this bucket's sockets and joins (buckets.ts sizes regions by them). */
  private async reportSize(now: number, early = false): Promise<void> {
    const name = this.listing.name;
    if (!name || (!early && now - this.sizeReportedAt < DIRECTORY_REPORT_MS)) return;
    // Joins are a rate over the time since the first of them (a flash crowd's first batch
    // may arrive within a fraction of a second); with none, the period does not matter.
    const periodMs = this.joins > 0 ? Math.max(MIN_JOIN_PERIOD_MS, now - this.joinsSince) : DIRECTORY_REPORT_MS;
    const joins = this.joins;
    this.sizeReportedAt = now;
    this.joins = 0;
    const { region, bucket } = parseShardName(name);
    try {
      await directory(this.env, region).report(bucket, this.ctx.getWebSockets().length, joins, periodMs);
    } catch (err) {
      // Sizing is advisory: a full shard still refuses upgrades on its own.
      console.error("tracker directory report failed", err);
    }
  }

  private async flush(): Promise<void> {
    if (!this.countersDirty) return;
    this.countersDirty = false;
    await this.ctx.storage.put("counters", { ...this.state.counters });
  }

  // ---- RPC used by index.ts / stats.ts (never reachable by clients directly) ----

  async shardStats(): Promise<ShardStats> {
    return {
      shard: this.listing.name,
      channel: this.listing.channel,
      swarms: this.state.swarms.size,
      peers: peerCount(this.state),
      sockets: this.ctx.getWebSockets().length,
      wokeAt: this.state.wokeAt,
      messages: { ...this.state.counters },
    };
  }

  async setOutage(mode: OutageMode): Promise<{ mode: OutageMode; closed: number }> {
    this.outage = mode;
    await this.ctx.storage.put("outage", mode);
    let closed = 0;
    if (mode === "close") {
      for (const ws of this.ctx.getWebSockets()) {
        const id = this.idOf(ws);
        if (id !== null) this.drop(id);
        this.safeClose(ws, 1013, "tracker outage");
        closed++;
      }
    }
    return { mode, closed };
  }

  /** Test hook (guarded by the caller): shifts this object's clock to drive expiry. */
  async testAdvanceClock(ms: number): Promise<number> {
    if (this.env.EDGESWARM_TEST_HOOKS !== "1") throw new Error("test hooks are disabled");
    return this.clock.advance(ms);
  }
}

/** Hibernation tag prefix carrying a socket's address key (access/address.ts). */
const ADDRESS_TAG = "a:";

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.min(a, b);
}
