// Command-line flags of `npm run bench:swarm`, parsed and bounded. Pure: argv in,
// `{ ok, opts } | { ok: false, reason }` out. It does not start anything.
import { parseProfile, PROFILES, type ProfileName } from "../../harness/netlab/profiles.ts";

/** Every variant the bench knows; `p2p-off` (the EdgeSwarm client with P2P off, i.e. hls.js
 * alone) measures the egress the invariant compares against and runs only when asked for. */
export const VARIANTS = ["edgeswarm", "stock", "stock-tuned", "p2p-off"] as const;
export type VariantName = (typeof VARIANTS)[number];
/** What runs without --variants: the product beside stock and hand-tuned stock. */
const DEFAULT_VARIANTS: VariantName[] = ["edgeswarm", "stock", "stock-tuned"];
export type Mode = "node" | "browser";

export interface BenchOptions {
  viewers: number;
  /** Seconds every variant runs after its last viewer joined. */
  duration: number;
  /** Seconds between two joins. */
  spacing: number;
  mode: Mode;
  variants: VariantName[];
  /** Path on the Worker (or fallback origin) of the master playlist. */
  stream: string;
  /** VOD: viewer i starts i × startStep seconds into the video (0: all at the start). */
  startStep: number;
  /** "worker": the Worker's own stream; "fallback": the bench's ffmpeg stand-in origin. */
  origin: "worker" | "fallback" | "auto";
  rendition: "highest" | "lowest";
  json: boolean;
  /** Browser mode only: each viewer in its own network namespace with this profile's links
   * (harness/netlab). Undefined: loopback. */
  net?: ProfileName;
  /** With --net: the page on plain http://<bridge address> (no secure context) instead of
   * http://127.0.0.1 through a forwarder inside the namespace (a secure context). */
  plainHttp: boolean;
}

export const DEFAULTS: BenchOptions = {
  viewers: 4,
  duration: 60,
  spacing: 2,
  mode: "node",
  variants: [...DEFAULT_VARIANTS],
  stream: "/live/loop/master.m3u8",
  startStep: 0,
  origin: "auto",
  rendition: "highest",
  json: false,
  plainHttp: false,
};

// Bounds keep one typo from pinning the shared 2-core machine for an hour.
export const MAX_VIEWERS = 60;
export const MAX_DURATION_S = 1800;
/** `--vod`: the Worker's 3-minute built-in library video (scripts/sample.mjs CLIPS). */
export const VOD_STREAM = "/streams/film/master.m3u8";

export const USAGE = `npm run bench:swarm -- [--viewers N] [--duration S] [--spacing S]
    [--variants edgeswarm,stock,stock-tuned,p2p-off] [--mode node|browser]
    [--net ${PROFILES.join("|")} [--http]]
    [--stream /live/loop/master.m3u8 | --vod [--start-step S]] [--origin auto|worker|fallback]
    [--rendition highest|lowest] [--json]`;

/** The numeric flags: the option each sets, its bounds, whether it must be whole. */
const NUMERIC = new Map<string, { key: "viewers" | "duration" | "spacing" | "startStep"; min: number; max: number; int: boolean }>([
  ["--viewers", { key: "viewers", min: 1, max: MAX_VIEWERS, int: true }],
  ["--duration", { key: "duration", min: 5, max: MAX_DURATION_S, int: false }],
  ["--spacing", { key: "spacing", min: 0, max: 60, int: false }],
  ["--start-step", { key: "startStep", min: 0, max: 600, int: false }],
]);

export function parseArgs(argv: readonly string[]): { ok: true; opts: BenchOptions } | { ok: false; reason: string } {
  const opts: BenchOptions = { ...DEFAULTS, variants: [...DEFAULTS.variants] };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? "";
    const eq = raw.indexOf("=");
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const takeValue = (): string | undefined => (eq > 0 ? raw.slice(eq + 1) : argv[++i]);
    const numeric = NUMERIC.get(flag);
    if (numeric) {
      const { key, min, max, int } = numeric;
      const v = takeValue();
      const n = Number(v);
      if (v === undefined || v === "" || !Number.isFinite(n) || (int && !Number.isInteger(n)) || n < min || n > max) {
        return { ok: false, reason: `${flag} must be ${int ? "an integer" : "a number"} in [${min}, ${max}], got ${JSON.stringify(v)}` };
      }
      opts[key] = n;
      continue;
    }
    switch (flag) {
      case "--mode": {
        const v = takeValue();
        if (v !== "node" && v !== "browser") return { ok: false, reason: `--mode must be node or browser, got ${JSON.stringify(v)}` };
        opts.mode = v;
        break;
      }
      case "--variants": {
        const list = (takeValue() ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        const bad = list.find((v) => !(VARIANTS as readonly string[]).includes(v));
        if (list.length === 0 || bad !== undefined) {
          return { ok: false, reason: `--variants takes a comma list of ${VARIANTS.join(", ")}; got ${JSON.stringify(bad ?? "")}` };
        }
        opts.variants = [...new Set(list)] as VariantName[];
        break;
      }
      case "--stream": {
        const v = takeValue() ?? "";
        // A path on the origin, nothing that could point the bench off loopback.
        if (!/^\/[A-Za-z0-9_\-./]{1,200}\.m3u8$/.test(v) || v.includes("..")) {
          return { ok: false, reason: `--stream must be an origin path ending in .m3u8, got ${JSON.stringify(v)}` };
        }
        opts.stream = v;
        break;
      }
      case "--vod":
        opts.stream = VOD_STREAM;
        break;
      case "--origin": {
        const v = takeValue();
        if (v !== "auto" && v !== "worker" && v !== "fallback")
          return { ok: false, reason: `--origin must be auto, worker or fallback, got ${JSON.stringify(v)}` };
        opts.origin = v;
        break;
      }
      case "--rendition": {
        const v = takeValue();
        if (v !== "highest" && v !== "lowest") return { ok: false, reason: `--rendition must be highest or lowest, got ${JSON.stringify(v)}` };
        opts.rendition = v;
        break;
      }
      case "--json":
        opts.json = true;
        break;
      case "--net": {
        const v = takeValue() ?? "";
        const profile = parseProfile(v);
        if (!profile) return { ok: false, reason: `--net must be one of ${PROFILES.join(", ")}, got ${JSON.stringify(v)}` };
        opts.net = profile;
        break;
      }
      case "--http":
        opts.plainHttp = true;
        break;
      default:
        return { ok: false, reason: `unknown flag ${JSON.stringify(raw)}` };
    }
  }
  // Namespaces hold browsers; the Node viewers share one process and one network stack.
  if (opts.net && opts.mode !== "browser") return { ok: false, reason: "--net needs --mode browser (each viewer is a Chromium in its own network namespace)" };
  // Only a VOD stream (the Worker's /streams/ area) has positions to start at.
  if (opts.startStep > 0 && !opts.stream.startsWith("/streams/"))
    return { ok: false, reason: "--start-step needs a VOD stream (--vod, or --stream /streams/…)" };
  if (opts.plainHttp && !opts.net) return { ok: false, reason: "--http needs --net (on loopback every page is a secure context)" };
  if (opts.variants.includes("p2p-off") && opts.mode !== "browser")
    return { ok: false, reason: "variant p2p-off needs --mode browser (it is the client with P2P off)" };
  return { ok: true, opts };
}

/** Contract: viewers of one stream share the tracker channel named after the stream
 * (/live/loop/master.m3u8 → "loop"); anything outside the channel shape → "default". */
export function channelOf(streamPath: string): string {
  const name = streamPath.split("/").filter(Boolean)[1] ?? "default";
  return /^[A-Za-z0-9_-]{1,64}$/.test(name) ? name : "default";
}
