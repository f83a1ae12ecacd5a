// `npx tsx bench/integrity/index.ts`: what the client's segment hash check costs with each
// SHA-256 backend of client/integrity.ts — WebCrypto (`crypto.subtle`, here Node's webcrypto)
// and the in-house JS fallback (client/sha256.ts) that pages outside a secure context use.
// Times the real sha256Hex (digest + hex), once with globalThis.crypto as Node provides it and
// once with it removed, on random segments of typical HLS sizes; prints ms per segment and
// MB/s (10^6 bytes per second), the median of several rounds, and the JS/subtle ratio. A
// benchmark, not a test: it asserts nothing.
//
// The machine is shared (2 cores, other builds running), so the backends alternate inside
// every round (subtle js, js subtle, ...): background load then hits both alike, and the ratio
// is steadier than either absolute figure. Node's subtle.digest hashes on a libuv thread while
// the JS fallback runs on the calling thread; in a page that is the main thread, so the JS
// figure is also how long one check blocks it.
//
// Flags: --rounds N (7)   --mib-per-sample N (16): bytes hashed per timed sample
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { hashBackend, sha256Hex, useJsSha256, type HashBackend } from "../../client/integrity.ts";
import { sha256 } from "../../client/sha256.ts";
import { numberFlag as flag } from "../flags.ts";

// The player loads the JS digest beside the bundle (client/extras.ts); here it is at hand.
useJsSha256(() => Promise.resolve(sha256));

const ROUNDS = flag("rounds", 7);
const BYTES_PER_SAMPLE = flag("mib-per-sample", 16) * 1024 * 1024;
/** 200 KiB ≈ a 2 s 360p segment; 1 MiB ≈ 2 s of 720p or 6 s of 360p; 4 MiB ≈ 6 s of 1080p. */
const SIZES = [200 * 1024, 1024 * 1024, 4 * 1024 * 1024];

// Node defines globalThis.crypto as a configurable getter; removing it is what a page outside
// a secure context looks like to integrity.ts (there `crypto.subtle` is undefined).
const cryptoDescriptor = Object.getOwnPropertyDescriptor(globalThis, "crypto");
function useBackend(b: HashBackend): void {
  if (b === "js") Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true, writable: true });
  else if (cryptoDescriptor) Object.defineProperty(globalThis, "crypto", cryptoDescriptor);
}

/** Milliseconds per segment for `n` sequential checks of `segment` with backend `b`. */
async function sample(b: HashBackend, segment: Uint8Array, n: number): Promise<number> {
  useBackend(b);
  try {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await sha256Hex(segment);
    const ms = (performance.now() - t0) / n;
    if (hashBackend() !== b) throw new Error(`asked for ${b}, integrity.ts used ${hashBackend()}`);
    return ms;
  } finally {
    useBackend("subtle");
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)].join("\n");
}

const label = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`);
const mbps = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(0);

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(`${ROUNDS} rounds, ${BYTES_PER_SAMPLE / 1024 / 1024} MiB hashed per sample, median per backend\n`);

// Warm-up: until V8 has optimised the JS compression loop, the first size measured would look
// slower per byte than the rest; 32 MiB is well past that point.
await sample("js", new Uint8Array(randomBytes(1024 * 1024)), 32);

const rows: string[][] = [];
for (const size of SIZES) {
  const segment = new Uint8Array(randomBytes(size));
  const n = Math.max(1, Math.round(BYTES_PER_SAMPLE / size));
  // Warm-up per size: start Node's crypto thread pool, settle buffers of this size.
  await sample("js", segment, Math.min(n, 4));
  await sample("subtle", segment, Math.min(n, 4));
  const times: Record<HashBackend, number[]> = { subtle: [], js: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order: HashBackend[] = r % 2 ? ["js", "subtle"] : ["subtle", "js"];
    for (const b of order) times[b].push(await sample(b, segment, n));
  }
  const s = median(times.subtle);
  const j = median(times.js);
  rows.push([label(size), s.toFixed(2), mbps(size, s), j.toFixed(2), mbps(size, j), (j / s).toFixed(2)]);
}

console.log(markdownTable(["segment", "subtle ms/seg", "subtle MB/s", "js ms/seg", "js MB/s", "js / subtle"], rows));
