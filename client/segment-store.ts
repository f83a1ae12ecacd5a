// The segment memory the P2P core serves peers from (p2p-media-loader's SegmentStorage
// interface, plugged in through customSegmentStorageFactory). Ours rather than the core's
// built-in one for two reasons: the edge seeder (seeder.ts) must be able to put a segment it
// fetched itself into the store, so the core announces it to peers at once; and uploads are
// served a few at a time (upload-slots.ts), which the core has no setting for.
// It keeps what is near the playhead and forgets the rest; how many uploads at once is
// upload-slots.ts's call, from the uploads this store times.
import type { CommonCoreConfig, SegmentStorage, StreamConfig, StreamType } from "p2p-media-loader-core";
import { DEFAULT_LIMIT_MIB, KEEP_BEHIND_S, MAX_PARALLEL_UPLOADS, UPLOAD_STALE_MS } from "./limits";

// Uploads are served as many at a time as upload-slots.ts says (one until the uplink proves
// it carries more at full speed). A busy uploader answers "segment absent" (the core's own
// reply when it lacks a segment); the asker drops it from that peer's list and asks another
// holder, such as the peer just served, or this one again on its next announcement (every
// new segment it stores).
export { KEEP_BEHIND_S, MAX_PARALLEL_UPLOADS, UPLOAD_STALE_MS };
const MiB = 1024 * 1024;

interface Item {
  streamId: string;
  segmentId: number;
  data: ArrayBuffer;
  startTime: number;
  endTime: number;
}

const keyOf = (streamId: string, segmentId: number) => `${streamId}|${segmentId}`;

export class SegmentStore implements SegmentStorage {
  private readonly items = new Map<string, Item>();
  /** Stream ids the core itself has asked about: the seeder only writes into these. */
  private readonly knownStreams = new Set<string>();
  private bytes = 0;
  private limitBytes = DEFAULT_LIMIT_MIB * MiB;
  private position = 0;
  private onChange?: (streamId: string) => void;
  /** Segments the player itself is reading (the core asks onSegmentRequested first): never refused. */
  private readonly ownReads = new Set<string>();
  /** Uploads in progress: bytes still to go out, size, when granted, seconds of media, uploads running at its grant, the peer it goes to. */
  private uploads: Array<{ left: number; size: number; at: number; media: number; n: number; peer?: string }> = [];
  /** Uploads served at once: upload-slots.ts's answer to the uploads reported by onUploadDone (seeding.ts runs it); one until then. */
  maxUploads = 1;
  /**
   * A whole segment went out to a peer: its size, how long the upload took, the seconds of
   * media it carried and how many uploads ran at once (the most at its grant or its end,
   * itself included: counting is cheaper than timing, and the bundle has no room to spare).
   * fetcher-role.ts measures uplinks by it, upload-slots.ts sizes maxUploads by it.
   */
  onUploadDone?: (bytes: number, ms: number, mediaS: number, conc: number) => void;

  constructor(private readonly now: () => number = () => performance.now()) {}

  async initialize(core: CommonCoreConfig, _main: StreamConfig, _secondary: StreamConfig): Promise<void> {
    if (typeof core.segmentMemoryStorageLimit === "number" && core.segmentMemoryStorageLimit > 0) {
      this.limitBytes = core.segmentMemoryStorageLimit * MiB;
    }
  }

  onPlaybackUpdated(position: number, _rate: number): void {
    this.position = position;
  }

  /**
   * Told of every segment the core requests, with the ids it uses for it: its swarm id, its
   * stream id (the input of the stream's tracker info_hash) and the segment's id. The edge
   * seeder stores under exactly these ids (seed-bridge.ts), never ids of its own making.
   */
  onRequest?: (swarmId: string, streamId: string, segmentId: number, streamType: StreamType) => void;

  onSegmentRequested(swarmId: string, streamId: string, segmentId?: number, _start?: number, _end?: number, streamType?: StreamType): void {
    this.knownStreams.add(streamId);
    if (segmentId !== undefined && streamType) this.onRequest?.(swarmId, streamId, segmentId, streamType);
    // The core reads the segment from here next when it has it (hybrid-loader.ts loadSegment).
    if (segmentId !== undefined && this.items.has(keyOf(streamId, segmentId))) this.ownReads.add(keyOf(streamId, segmentId));
  }

  /**
   * Bytes went out to `peer` (the core's onChunkUploaded): they count against that peer's
   * upload (the core sends one at a time per peer); a new peer's first chunk takes the oldest
   * upload no chunk went to yet, as the core writes right after the grant. Without a peer id
   * they count against the oldest upload.
   */
  noteUploaded(bytes: number, peer?: string): void {
    let n = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
    const now = this.now();
    while (n > 0) {
      const u = this.uploads.find((x) => x.peer === peer) ?? this.uploads.find((x) => x.peer === undefined);
      if (!u) return;
      u.peer = peer;
      const take = Math.min(n, u.left);
      u.left -= take;
      n -= take;
      if (u.left <= 0) {
        this.onUploadDone?.(u.size, now - u.at, u.media, Math.max(u.n, this.uploads.length));
        this.uploads.splice(this.uploads.indexOf(u), 1);
      }
    }
  }

  /** True once the core has requested a segment of this stream (its id is then certain). */
  isKnownStream(streamId: string): boolean {
    return this.knownStreams.has(streamId);
  }

  async storeSegment(
    _swarmId: string,
    streamId: string,
    segmentId: number,
    data: ArrayBuffer,
    startTime: number,
    endTime: number,
    _streamType: StreamType,
    _isLive: boolean,
  ): Promise<void> {
    const key = keyOf(streamId, segmentId);
    const old = this.items.get(key);
    if (old) this.bytes -= old.data.byteLength;
    this.items.set(key, { streamId, segmentId, data, startTime, endTime });
    this.bytes += data.byteLength;
    const touched = this.evict(key);
    touched.add(streamId);
    // The core announces a stream's segments to its peers from this callback.
    for (const s of touched) this.onChange?.(s);
  }

  /** The player's reads always get the bytes; a peer's request gets them when an upload slot is free. */
  async getSegmentData(_swarmId: string, streamId: string, segmentId: number): Promise<ArrayBuffer | undefined> {
    const key = keyOf(streamId, segmentId);
    const it = this.items.get(key);
    if (this.ownReads.delete(key) || !it) return it?.data;
    const { data } = it;
    const now = this.now();
    this.uploads = this.uploads.filter((u) => now - u.at < UPLOAD_STALE_MS);
    if (this.uploads.length >= this.maxUploads) return undefined;
    this.uploads.push({ left: data.byteLength, size: data.byteLength, at: now, media: it.endTime - it.startTime, n: this.uploads.length + 1 });
    return data;
  }

  hasSegment(_swarmId: string, streamId: string, segmentId: number): boolean {
    return this.items.has(keyOf(streamId, segmentId));
  }

  getStoredSegmentIds(_swarmId: string, streamId: string): number[] {
    const ids: number[] = [];
    for (const it of this.items.values()) if (it.streamId === streamId) ids.push(it.segmentId);
    return ids;
  }

  /** The core stops random HTTP prefetch when little capacity is left; report bytes ahead of the playhead. */
  getUsage(): { totalCapacity: number; usedCapacity: number } {
    let ahead = 0;
    for (const it of this.items.values()) if (it.endTime >= this.position) ahead += it.data.byteLength;
    return { totalCapacity: this.limitBytes / MiB, usedCapacity: ahead / MiB };
  }

  setSegmentChangeCallback(callback: (streamId: string) => void): void {
    this.onChange = callback;
  }

  destroy(): void {
    this.items.clear();
    this.knownStreams.clear();
    this.ownReads.clear();
    this.uploads = [];
    this.bytes = 0;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  /** Drops segments far behind the playhead, then the oldest while over the byte limit. */
  private evict(keep: string): Set<string> {
    const touched = new Set<string>();
    const drop = (key: string, it: Item) => {
      this.items.delete(key);
      this.bytes -= it.data.byteLength;
      touched.add(it.streamId);
    };
    for (const [key, it] of this.items) {
      if (key !== keep && it.endTime < this.position - KEEP_BEHIND_S) drop(key, it);
    }
    if (this.bytes > this.limitBytes) {
      const oldestFirst = [...this.items].sort((a, b) => a[1].startTime - b[1].startTime);
      for (const [key, it] of oldestFirst) {
        if (this.bytes <= this.limitBytes) break;
        if (key !== keep) drop(key, it);
      }
    }
    return touched;
  }
}
