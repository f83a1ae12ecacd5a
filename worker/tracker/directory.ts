// ChannelDirectory: one object per channel region (the name is the region's shard name,
// e.g. "live" or "live#EU") that decides how many swarm shards the region spans and which
// one a joining viewer lands in (buckets.ts). It is asked once per join and told each
// shard's size every DIRECTORY_REPORT_MS; nothing else. Only the bucket count is stored:
// after an eviction the sizes come back with the shards' next reports.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { grow, newBook, report, route, type BucketBook } from "./buckets";

export class ChannelDirectory extends DurableObject<Env> {
  private book: BucketBook = newBook();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get("buckets");
      if (typeof stored === "number") this.book = newBook(stored);
    });
  }

  /** The bucket for a joining viewer (`asked`: the one it was in before, if any). */
  async route(asked: number | null): Promise<number> {
    const before = this.book.buckets;
    const bucket = route(this.book, asked, Date.now());
    await this.saveIfChanged(before);
    return bucket;
  }

  /** A shard's socket count. */
  async report(bucket: number, sockets: number): Promise<void> {
    const before = this.book.buckets;
    report(this.book, bucket, sockets, Date.now());
    await this.saveIfChanged(before);
  }

  /** A shard refused a join (full): one more bucket now. */
  async grow(): Promise<number> {
    const before = this.book.buckets;
    grow(this.book, Date.now());
    await this.saveIfChanged(before);
    return this.book.buckets;
  }

  async buckets(): Promise<number> {
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
