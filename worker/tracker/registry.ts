// ShardRegistry: the one Durable Object that lists which tracker shards are live, so the
// global stats view (stats.ts) knows where to ask. Shards add themselves on their first
// connection and remove themselves when they go idle (durable-object.ts). It is off the
// pairing path: if it is down, viewers still pair and only the stats view is short.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/** The registry's only instance. */
export const REGISTRY_INSTANCE = "shards";

export interface ShardEntry {
  name: string;
  channel: string;
}

export class ShardRegistry extends DurableObject<Env> {
  async add(name: string, channel: string): Promise<void> {
    await this.ctx.storage.put(`reg:${name}`, channel);
  }

  async remove(name: string): Promise<void> {
    await this.ctx.storage.delete(`reg:${name}`);
  }

  /** Shards of one channel (`<channel>`, `<channel>#<region>…`, `<channel>~<bucket>`), or all shards, up to `limit`. */
  async list(limit: number, channel?: string): Promise<ShardEntry[]> {
    const out: ShardEntry[] = [];
    if (channel !== undefined) {
      const exact = await this.ctx.storage.get<string>(`reg:${channel}`);
      if (exact !== undefined) out.push({ name: channel, channel: exact });
      for (const sep of ["#", "~"]) {
        const rest = await this.ctx.storage.list<string>({ prefix: `reg:${channel}${sep}`, limit });
        for (const [k, ch] of rest) out.push({ name: k.slice(4), channel: ch });
      }
      return out.slice(0, limit);
    }
    const map = await this.ctx.storage.list<string>({ prefix: "reg:", limit });
    for (const [k, ch] of map) out.push({ name: k.slice(4), channel: ch });
    return out;
  }
}

/**
 * Version of the registry a shard's stored "listed" flag refers to. Bumped when the
 * registry moved out of TrackerShard into its own class, so shards listed only in the old
 * one list themselves again on their next connection.
 */
const REGISTRY_VERSION = 2;

/**
 * One shard's own entry in the registry: its name (set by the Worker in a header on each
 * upgrade), whether it is listed, remembered in the shard's storage under "meta". Listing
 * never delays an upgrade, and a failure is retried by the next connection.
 */
export class RegistryListing {
  name: string | null = null;
  channel: string | null = null;
  private listed = false;
  private listing = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
  ) {}

  /** Reads back what `join`/`leave` stored (any shape: storage is validated, not trusted). */
  restore(meta: unknown): void {
    if (typeof meta !== "object" || meta === null) return;
    const m: Record<string, unknown> = { ...meta };
    if (typeof m.name === "string") this.name = m.name;
    if (typeof m.channel === "string") this.channel = m.channel;
    this.listed = m.registered === true && m.registry === REGISTRY_VERSION;
  }

  /** On each upgrade: lists the shard under its name unless it already is (or is being). */
  join(name: string | null, channel: string | null): void {
    if (!name || this.listed || this.listing) return;
    this.name = name;
    this.channel = channel;
    this.listing = true;
    this.ctx.waitUntil(this.add(name, channel ?? name));
  }

  private async add(name: string, channel: string): Promise<void> {
    try {
      await registry(this.env).add(name, channel);
      this.listed = true;
      await this.save();
    } catch (err) {
      // Only the global stats view depends on the registry; the next connection retries.
      console.error("tracker registry add failed", err);
    } finally {
      this.listing = false;
    }
  }

  /** When the shard is empty: takes it off the list; `busyAgain` says a socket came meanwhile. */
  async leave(busyAgain: () => boolean): Promise<void> {
    if (!this.listed || !this.name) return;
    // Cleared before the await: a socket arriving meanwhile must list the shard again.
    this.listed = false;
    try {
      await registry(this.env).remove(this.name);
      await this.save();
    } catch (err) {
      console.error("tracker registry remove failed", err);
    }
    if (busyAgain()) this.join(this.name, this.channel);
  }

  private save(): Promise<void> {
    return this.ctx.storage.put("meta", { name: this.name, channel: this.channel, registered: this.listed, registry: REGISTRY_VERSION });
  }
}

/** The registry's stub. */
export function registry(env: Env): DurableObjectStub<ShardRegistry> {
  return env.REGISTRY.getByName(REGISTRY_INSTANCE);
}
