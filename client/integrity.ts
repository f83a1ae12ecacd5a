// The Worker's SHA-256 for each segment, read from #EXT-X-EDGESWARM-SHA256 tags in media
// playlists, and the hash that every peer-delivered segment (plugins/integrity.ts) and every segment won
// by an edge claim (seeder.ts) must match. SHA-256 comes from WebCrypto where the page has it
// and from client/sha256.ts where it does not (see sha256Hex). It decides nothing about
// scheduling (hls-bridge.ts keeps unknown-hash segments away from the core; the windows live
// in scheduling/window-policy.ts) and fetches nothing itself.

import { HASH_TAG, SIZE_TAG, readHashTagValue, readSizeTagValue } from "../shared/hash-tag";
import { toHex } from "../shared/sha256";
import { MAX_HASHES } from "./limits";

export { MAX_HASHES };

/** The fields of an hls.js Fragment we read (frag.tagList keeps unknown tags as [name, value]). */
export interface FragmentLike {
  url: string;
  byteRange?: readonly number[];
  tagList?: ReadonlyArray<readonly string[]>;
}

/** "unavailable": the page could not compute a SHA-256 at all, which says nothing of the bytes. */
export type Verdict = "ok" | "mismatch" | "unknown" | "unavailable";

/** Key of a segment: its URL, plus the byte range when the playlist uses EXT-X-BYTERANGE. */
export function segmentKey(url: string, range?: { start: number; end: number }): string {
  return range ? `${url}|${range.start}-${range.end}` : url;
}

/** The hash a fragment carries, or undefined when it has none or a malformed one. */
export function hashOfFragment(frag: FragmentLike): string | undefined {
  let found: string | undefined;
  for (const t of frag.tagList ?? []) {
    if (t[0] === HASH_TAG && typeof t[1] === "string") found = t[1];
  }
  return found === undefined ? undefined : (readHashTagValue(found) ?? undefined);
}

/** The byte size a fragment's playlist published (#EXT-X-EDGESWARM-BYTES), or undefined. */
export function sizeOfFragment(frag: FragmentLike): number | undefined {
  let found: number | undefined;
  for (const t of frag.tagList ?? []) {
    if (t[0] === SIZE_TAG && typeof t[1] === "string") found = readSizeTagValue(t[1]) ?? undefined;
  }
  return found;
}

/** hls.js byteRange is [start, endExclusive]; p2p-media-loader uses inclusive ends. */
function rangeOf(frag: FragmentLike): { start: number; end: number } | undefined {
  const r = frag.byteRange;
  if (!r || r.length < 2 || r[0] === undefined || r[1] === undefined || !(r[1] > r[0])) return undefined;
  return { start: r[0], end: r[1] - 1 };
}

export type HashBackend = "subtle" | "js";
let lastBackend: HashBackend | undefined;

/** client/sha256.ts's `sha256`: the digest the page computes itself without crypto.subtle. */
export type JsSha256 = (data: ArrayBuffer | ArrayBufferView) => Uint8Array;
/** Where the JS digest comes from: plugins/integrity.ts loads it beside the script (extras.ts), so the
 * bundle every HTTPS viewer downloads does not carry it. */
let loadJs: (() => Promise<JsSha256>) | undefined;
let js: Promise<JsSha256> | undefined;

/** Sets how the JS SHA-256 is loaded when crypto.subtle is missing, and starts loading it
 * when that is already the case, so the first check does not wait for it. */
export function useJsSha256(loader: () => Promise<JsSha256>): Promise<JsSha256> | undefined {
  loadJs = loader;
  js = undefined;
  return hasSubtle() ? undefined : jsDigest();
}

function jsDigest(): Promise<JsSha256> {
  if (!loadJs) return Promise.reject(new Error("no SHA-256 on this page: crypto.subtle is missing and no JS SHA-256 is set (useJsSha256)"));
  const p = (js ??= loadJs());
  // A failed load is not remembered: a later check tries again.
  p.catch(() => {
    if (js === p) js = undefined;
  });
  return p;
}

/** Whether the page has SubtleCrypto's digest (read on every call: tests and shims swap it). */
function hasSubtle(): boolean {
  try {
    return typeof globalThis.crypto?.subtle?.digest === "function";
  } catch {
    return false; // a getter that throws, e.g. a SecurityError from a shim
  }
}

/** Which implementation computed the latest digest (before any: the one the next call tries). */
export function hashBackend(): HashBackend {
  return lastBackend ?? (hasSubtle() ? "subtle" : "js");
}

/**
 * Lowercase hex SHA-256 of `data`. Outside a secure context (plain http:// on a LAN address,
 * intranets) `crypto.subtle` is undefined, and some browsers throw or reject for particular
 * buffers; either way the JS implementation (useJsSha256) computes the same digest. It
 * rejects only when neither is to be had (the JS module could not be loaded): callers then
 * know the check could not run, which is not a verdict on the bytes (HashBook.verify says
 * "unavailable"). Before the fallback, a throw here reached p2p-media-loader as
 * "p2p-segment-validation-failed", destroying every honest peer on plain-HTTP pages.
 */
export async function sha256Hex(data: ArrayBuffer | ArrayBufferView): Promise<string> {
  let digest: Uint8Array | undefined;
  try {
    // Throws where there is no crypto, no subtle or no digest, so those fall back like a
    // digest that throws or rejects. Called as a method: a bare reference to digest throws
    // "Illegal invocation" in browsers.
    digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", data as BufferSource));
  } catch {
    // Fall through to the JS digest.
  }
  // A shimmed or broken subtle may resolve to anything; only 32 bytes are a SHA-256.
  if (digest?.length === 32) {
    lastBackend = "subtle";
  } else {
    const jsSha256 = await jsDigest();
    lastBackend = "js";
    try {
      digest = jsSha256(data);
    } catch {
      // Only a detached buffer throws (viewing it): it reads as zero bytes, as WebIDL
      // specifies for a BufferSource and as WebCrypto hashes it.
      digest = jsSha256(new Uint8Array(0));
    }
  }
  return toHex(digest);
}

export class HashBook {
  private readonly hashes = new Map<string, string>();
  /** Published sizes, same keys; only for segments with a hash, evicted with it. */
  private readonly sizes = new Map<string, number>();

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
      const n = sizeOfFragment(f);
      if (n === undefined) this.sizes.delete(key);
      else this.sizes.set(key, n);
    }
    while (this.hashes.size > MAX_HASHES) {
      const oldest = this.hashes.keys().next().value;
      if (oldest === undefined) break;
      this.hashes.delete(oldest);
      this.sizes.delete(oldest);
    }
    return known;
  }

  get(url: string, range?: { start: number; end: number }): string | undefined {
    return this.hashes.get(segmentKey(url, range));
  }

  /** The segment's published byte size, or undefined when the playlist gave none. */
  bytes(url: string, range?: { start: number; end: number }): number | undefined {
    return this.sizes.get(segmentKey(url, range));
  }

  has(url: string, range?: { start: number; end: number }): boolean {
    return this.hashes.has(segmentKey(url, range));
  }

  get size(): number {
    return this.hashes.size;
  }

  /** "ok" only when the Worker published a hash and the bytes match it. */
  async verify(url: string, range: { start: number; end: number } | undefined, data: ArrayBuffer): Promise<Verdict> {
    const expected = this.get(url, range);
    if (expected === undefined) return "unknown";
    let actual: string;
    try {
      actual = await sha256Hex(data);
    } catch {
      return "unavailable";
    }
    return actual === expected ? "ok" : "mismatch";
  }
}
