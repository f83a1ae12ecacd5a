// ChannelDirectory: one object per channel region (named like the region's shard, e.g.
// "live" or "live#EU") that says how many swarm shards the region spans (buckets.ts). The
// Worker asks it at most once per DIRECTORY_CACHE_MS per isolate (connect.ts), shards tell
// it their sockets and joins, and a full shard makes it grow. Only the bucket count is
// stored: after an eviction the sizes come back with the shards' next reports (and a refusal's demand). The Worker
// passes the region's floor (its expected audience's buckets) on every read and grow.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { grow, newBook, report, setFloor, type BucketBook } from "./buckets";

export class ChannelDirectory extends DurableObject<Env> {
  private book: BucketBook = newBook();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get("buckets");
      if (typeof stored === "number") this.book = newBook(stored);
    });
  }

  /** How many buckets the region has now, at least `floor` (bucketsForAudience of its expected audience). */
  async buckets(floor = 1): Promise<number> {
    const before = this.book.buckets;
    setFloor(this.book, floor, Date.now());
    await this.saveIfChanged(before);
    return this.book.buckets;
  }

  /** A shard's sockets and its joins over the last `periodMs`; returns the bucket count. */
  async report(bucket: number, sockets: number, joins: number, periodMs: number): Promise<number> {
    const before = this.book.buckets;
    report(this.book, bucket, sockets, joins, periodMs, Date.now());
    await this.saveIfChanged(before);
    return this.book.buckets;
  }

  /** A shard refused a join (full or past its join rate; `bucket` and its `demand` per second when known): grows; returns the bucket count. */
  async grow(floor = 1, bucket: number | null = null, demand = 0): Promise<number> {
    const before = this.book.buckets;
    setFloor(this.book, floor, Date.now());
    grow(this.book, Date.now(), bucket, demand);
    await this.saveIfChanged(before);
    return this.book.buckets;
  }

  private async saveIfChanged(before: number): Promise<void> {
    if (this.book.buckets !== before) await this.ctx.storage.put("buckets", this.book.buckets);
  }
}

/** The directory of a channel region. */
export function directory(env: Env, region: string): DurableObjectStub<ChannelDirectory> {
  return env.DIRECTORY.getByName(region);
}
