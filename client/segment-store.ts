// The segment memory the P2P core serves peers from (p2p-media-loader's SegmentStorage
// interface, plugged in through customSegmentStorageFactory). Ours rather than the core's
// built-in one for a single reason: the edge seeder (seeder.ts) must be able to put a
// segment it fetched itself into the store, so the core announces it to peers at once.
// It keeps what is near the playhead and forgets the rest; it makes no scheduling choices.
import type { CommonCoreConfig, SegmentStorage, StreamConfig, StreamType } from "p2p-media-loader-core";

/** Seconds of media kept behind the playhead: enough for peers a little behind us. */
export const KEEP_BEHIND_S = 60;
/** Byte ceiling when the core's config sets none (segmentMemoryStorageLimit is in MiB). */
export const DEFAULT_LIMIT_MIB = 256;
const MiB = 1024 * 1024;

interface Item {
  streamId: string;
  segmentId: number;
  data: ArrayBuffer;
  startTime: number;
  endTime: number;
  streamType: StreamType;
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

  async initialize(core: CommonCoreConfig, _main: StreamConfig, _secondary: StreamConfig): Promise<void> {
    if (typeof core.segmentMemoryStorageLimit === "number" && core.segmentMemoryStorageLimit > 0) {
      this.limitBytes = core.segmentMemoryStorageLimit * MiB;
    }
  }

  onPlaybackUpdated(position: number, _rate: number): void {
    this.position = position;
  }

  onSegmentRequested(_swarmId: string, streamId: string): void {
    this.knownStreams.add(streamId);
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
    streamType: StreamType,
    _isLive: boolean,
  ): Promise<void> {
    const key = keyOf(streamId, segmentId);
    const old = this.items.get(key);
    if (old) this.bytes -= old.data.byteLength;
    this.items.set(key, { streamId, segmentId, data, startTime, endTime, streamType });
    this.bytes += data.byteLength;
    const touched = this.evict(key);
    touched.add(streamId);
    // The core announces a stream's segments to its peers from this callback.
    for (const s of touched) this.onChange?.(s);
  }

  async getSegmentData(_swarmId: string, streamId: string, segmentId: number): Promise<ArrayBuffer | undefined> {
    return this.items.get(keyOf(streamId, segmentId))?.data;
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
