// The Worker's SHA-256 for each segment, read from #EXT-X-EDGESWARM-SHA256 tags in media
// playlists, and the check every peer-delivered segment must pass. It decides nothing about
// scheduling (engine.ts keeps unknown-hash segments away from peers) and never touches HTTP bytes.

export const HASH_TAG = "EXT-X-EDGESWARM-SHA256";
const HEX64 = /^[0-9a-f]{64}$/;
/** Live playlists add segments forever; older hashes are forgotten past this many. */
export const MAX_HASHES = 4096;

/** The fields of an hls.js Fragment we read (frag.tagList keeps unknown tags as [name, value]). */
export interface FragmentLike {
  url: string;
  byteRange?: readonly number[];
  tagList?: ReadonlyArray<readonly string[]>;
}

export type Verdict = "ok" | "mismatch" | "unknown";

/** Key of a segment: its URL, plus the byte range when the playlist uses EXT-X-BYTERANGE. */
export function segmentKey(url: string, range?: { start: number, end: number }): string {
  return range ? `${url}|${range.start}-${range.end}` : url;
}

/** The hash a fragment carries, or undefined when it has none or a malformed one. */
export function hashOfFragment(frag: FragmentLike): string | undefined {
  let found: string | undefined;
  for (const t of frag.tagList ?? []) {
    if (t[0] === HASH_TAG && typeof t[1] === "string") found = t[1].trim();
  }
  return found !== undefined && HEX64.test(found) ? found : undefined;
}

/** hls.js byteRange is [start, endExclusive]; p2p-media-loader uses inclusive ends. */
function rangeOf(frag: FragmentLike): { start: number, end: number } | undefined {
  const r = frag.byteRange;
  if (!r || r.length < 2 || r[0] === undefined || r[1] === undefined || !(r[1] > r[0])) return undefined;
  return { start: r[0], end: r[1] - 1 };
}

export async function sha256Hex(data: ArrayBuffer | ArrayBufferView): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as BufferSource);
  const bytes = new Uint8Array(digest);
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

export class HashBook {
  private readonly hashes = new Map<string, string>();

  /** Records the hashes of a playlist's fragments; returns which fragments have one. */
  learn(fragments: readonly FragmentLike[]): boolean[] {
    const known: boolean[] = [];
    for (const f of fragments) {
      const h = hashOfFragment(f);
      known.push(h !== undefined);
      if (h === undefined) continue;
      const key = segmentKey(f.url, rangeOf(f));
      // Re-inserting moves the key to the end, so eviction drops the oldest segments.
      this.hashes.delete(key);
      this.hashes.set(key, h);
    }
    while (this.hashes.size > MAX_HASHES) {
      const oldest = this.hashes.keys().next().value;
      if (oldest === undefined) break;
      this.hashes.delete(oldest);
    }
    return known;
  }

  get(url: string, range?: { start: number, end: number }): string | undefined {
    return this.hashes.get(segmentKey(url, range));
  }

  has(url: string, range?: { start: number, end: number }): boolean {
    return this.hashes.has(segmentKey(url, range));
  }

  get size(): number {
    return this.hashes.size;
  }

  /** "ok" only when the Worker published a hash and the bytes match it. */
  async verify(url: string, range: { start: number, end: number } | undefined, data: ArrayBuffer): Promise<Verdict> {
    const expected = this.get(url, range);
    if (expected === undefined) return "unknown";
    return (await sha256Hex(data)) === expected ? "ok" : "mismatch";
  }
}
