// LiveStream: one Durable Object per live stream, through which every update of that
// stream's live indexes goes, one at a time. Thin: it only orders the calls and keeps
// an alarm; the merge is live-index.ts, the storage work live-ingest.ts.
//
// Why an object and not R2's etag-conditional writes: the conditions hold (local R2
// honours onlyIf.etagMatches, even for concurrent writers), but an index write is only
// one of four steps (index, rendered playlist, deletions, what the next segment PUT must
// re-merge). Concurrent writers could each win their own index write and still store
// their playlist text or deletions in the other order; one writer at a time
// (blockConcurrencyWhile) makes the outcome depend only on what was PUT, not on timing.
//
// Its storage holds only what it needs after an eviction: the stream's name and, per
// playlist, the segment paths it waits for and when the first of them is given up on.
// The index itself stays in R2 (live-ingest.ts), where it always was.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { updateLiveIndex, type LiveUpdate } from "./live-ingest";
import type { MediaPlaylist } from "./playlist";

interface Waiting {
  /** Segment paths (in the stream) the playlist's plan names. */
  segments: string[];
  /** When its head is given up on (ms). */
  deadline: number;
}

export class LiveStream extends DurableObject<Env> {
  /** RPC: merge one incoming media playlist of `stream` at `playlistPath`. */
  playlist(stream: string, playlistPath: string, incoming: MediaPlaylist): Promise<LiveUpdate> {
    return this.serial(stream, () => this.update(playlistPath, incoming));
  }

  /** RPC: a segment was stored: merge again the playlists that wait for it. */
  segmentStored(stream: string, segmentPath: string): Promise<void> {
    return this.serial(stream, async () => {
      for (const [path, w] of Object.entries(await this.waiting())) if (w.segments.includes(segmentPath)) await this.update(path, null);
    });
  }

  /** A waiting segment's deadline passed: merge again, which skips it. */
  override async alarm(): Promise<void> {
    const stream = await this.ctx.storage.get<string>("stream");
    if (!stream) return;
    await this.serial(stream, async () => {
      const now = Date.now();
      for (const [path, w] of Object.entries(await this.waiting())) if (w.deadline <= now) await this.update(path, null);
    });
  }

  /** Runs `fn` with no other event of this object in between. */
  private async serial<T>(stream: string, fn: () => Promise<T>): Promise<T> {
    const box: { out?: { ok: true; value: T } | { ok: false; error: unknown } } = {};
    await this.ctx.blockConcurrencyWhile(async () => {
      // A throw inside blockConcurrencyWhile resets the object: keep it to rethrow outside.
      try {
        if (this.stream !== stream) {
          await this.ctx.storage.put("stream", stream);
          this.stream = stream;
        }
        box.out = { ok: true, value: await fn() };
      } catch (error) {
        box.out = { ok: false, error };
      }
    });
    const out = box.out ?? { ok: false, error: new Error("live stream update did not run") };
    if (!out.ok) throw out.error;
    return out.value;
  }

  private stream = "";

  private async waiting(): Promise<Record<string, Waiting>> {
    return (await this.ctx.storage.get<Record<string, Waiting>>("waiting")) ?? {};
  }

  private async update(playlistPath: string, incoming: MediaPlaylist | null): Promise<LiveUpdate> {
    const u = await updateLiveIndex(this.env, this.stream, playlistPath, incoming, Date.now());
    const all = await this.waiting();
    if (u.deadline === null && !(playlistPath in all)) return u; // nothing waited, nothing waits
    if (u.deadline === null) delete all[playlistPath];
    else all[playlistPath] = { segments: u.waitingPaths, deadline: u.deadline };
    await this.ctx.storage.put("waiting", all);
    const next = Math.min(...Object.values(all).map((w) => w.deadline));
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next);
    else await this.ctx.storage.deleteAlarm();
    return u;
  }
}
