// `npm run publish -- <video file | HLS folder> --stream <name> [--to <worker url>] [--token <t>]`
// Publishes a VOD stream through the Worker's authenticated ingest API, so it works the
// same against `npm start` (local R2) and a deployed Worker. A video file is first
// transcoded to a 3-rendition HLS ladder (2 s segments, aligned keyframes) with ffmpeg.
// Upload order: segments, then media playlists, then the master last, so a half-published
// stream never looks complete (the Worker also refuses a playlist naming missing files).
// It does not compute hashes: the Worker hashes every segment itself at ingest.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

interface Rung {
  name: string;
  width: number;
  height: number;
  videoKbps: number;
  audioKbps: number;
}
interface SampleLib {
  DEFAULT_LADDER: Rung[];
  transcodeLadder(o: { source: { file: string }; outDir: string; ladder?: Rung[]; segmentSeconds?: number; fmp4?: boolean }): Promise<{ codecs: string }>;
  writeMaster(o: { outDir: string; ladder: Rung[]; codecs: string }): unknown;
}

export interface PublishOptions {
  input: string;
  stream: string;
  to: string;
  token: string;
  /** Transcode to fragmented MP4 (CMAF-style .m4s + init.mp4) instead of MPEG-TS. */
  fmp4?: boolean;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface PublishResult {
  files: number;
  bytes: number;
  seconds: number;
  master: string;
}

function usage(msg?: string): never {
  if (msg) console.error(`publish: ${msg}`);
  console.error("usage: npm run publish -- <video file | HLS folder> --stream <name> [--to http://localhost:8787] [--token <INGEST_TOKEN>] [--fmp4]");
  process.exit(2);
}

/** Files of an HLS folder (depth ≤ 2, like the Worker accepts), in upload order. */
export function uploadOrder(dir: string): string[] {
  const files: string[] = [];
  for (const a of readdirSync(dir)) {
    if (a.startsWith(".")) continue;
    const p = join(dir, a);
    if (statSync(p).isDirectory()) {
      for (const b of readdirSync(p)) if (!b.startsWith(".") && statSync(join(p, b)).isFile()) files.push(`${a}/${b}`);
    } else files.push(a);
  }
  // Only what the Worker serves; other files (notes, manifests) stay local.
  const media = files.filter((f) => /\.(m3u8|ts|m4s|mp4|aac|m4a|vtt)$/i.test(f));
  const isPlaylist = (f: string) => f.endsWith(".m3u8");
  const isMaster = (f: string) => isPlaylist(f) && readFileSync(join(dir, f), "utf8").includes("#EXT-X-STREAM-INF");
  const rank = (f: string) => (!isPlaylist(f) ? 0 : isMaster(f) ? 2 : 1);
  return media.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
}

async function put(url: string, token: string, body: Uint8Array<ArrayBuffer>): Promise<Response> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const r = await fetch(url, { method: "PUT", body, headers: { authorization: `Bearer ${token}` } });
      if (r.status < 500) return r;
      last = new Error(`${r.status} ${await r.text()}`);
    } catch (e) {
      last = e;
    }
    await new Promise((res) => setTimeout(res, 500 * (attempt + 1)));
  }
  throw new Error(`PUT ${url} failed: ${String(last)}`);
}

async function uploadPhase(files: string[], dir: string, base: string, token: string, concurrency: number): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++]!;
      const body = new Uint8Array(readFileSync(join(dir, f)));
      const r = await put(`${base}/${f}`, token, body);
      if (r.status !== 200 && r.status !== 201) {
        const detail = await r.text();
        throw new Error(`PUT ${f}: ${r.status} ${detail}`);
      }
      await r.arrayBuffer().catch(() => undefined);
      bytes += body.byteLength;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return bytes;
}

export async function publish(o: PublishOptions): Promise<PublishResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const started = Date.now();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(o.stream)) throw new Error("stream name must match [A-Za-z0-9_-]{1,64}");
  let dir = resolve(o.input);
  let temp: string | null = null;
  try {
    if (!statSync(dir).isDirectory()) {
      const spec = "./sample.mjs"; // a variable keeps tsc from needing types for the .mjs
      const lib = (await import(spec)) as SampleLib;
      temp = mkdtempSync(join(tmpdir(), "edgeswarm-publish-"));
      log(`transcoding ${basename(dir)} → ${lib.DEFAULT_LADDER.map((r) => r.name).join(", ")} (2 s ${o.fmp4 ? "fMP4" : "MPEG-TS"} segments)…`);
      const { codecs } = await lib.transcodeLadder({ source: { file: dir }, outDir: temp, fmp4: o.fmp4 ?? false });
      lib.writeMaster({ outDir: temp, ladder: lib.DEFAULT_LADDER, codecs });
      dir = temp;
    }
    const files = uploadOrder(dir);
    if (!files.some((f) => f.endsWith(".m3u8"))) throw new Error(`no .m3u8 playlist in ${dir}`);
    const base = `${o.to.replace(/\/+$/, "")}/ingest/vod/${o.stream}`;
    const c = o.concurrency ?? 4;
    const segments = files.filter((f) => !f.endsWith(".m3u8"));
    const playlists = files.filter((f) => f.endsWith(".m3u8"));
    const masters = playlists.filter((f) => readFileSync(join(dir, f), "utf8").includes("#EXT-X-STREAM-INF"));
    const media = playlists.filter((f) => !masters.includes(f));
    let bytes = await uploadPhase(segments, dir, base, o.token, c);
    log(`uploaded ${segments.length} segments`);
    bytes += await uploadPhase(media, dir, base, o.token, c);
    bytes += await uploadPhase(masters, dir, base, o.token, 1);
    const master = `${o.to.replace(/\/+$/, "")}/streams/${o.stream}/${masters[0] ?? media[0]}`;
    const seconds = (Date.now() - started) / 1000;
    log(`published ${files.length} files (${(bytes / 1e6).toFixed(2)} MB) in ${seconds.toFixed(1)} s → ${master}`);
    return { files: files.length, bytes, seconds, master };
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

function tokenFromDevVars(): string | undefined {
  const p = resolve(import.meta.dirname, "../.dev.vars");
  if (!existsSync(p)) return undefined;
  return /^INGEST_TOKEN=(.*)$/m.exec(readFileSync(p, "utf8"))?.[1]?.trim();
}

async function main() {
  const args = process.argv.slice(2);
  let input: string | undefined,
    stream: string | undefined,
    to = "http://localhost:8787",
    token: string | undefined,
    fmp4 = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--stream") stream = args[++i];
    else if (a === "--to") to = args[++i] ?? usage("--to needs a URL");
    else if (a === "--token") token = args[++i];
    else if (a === "--fmp4") fmp4 = true;
    else if (a === "-h" || a === "--help") usage();
    else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else input = a;
  }
  if (!input) usage("missing input");
  if (!stream) usage("missing --stream");
  if (!existsSync(input)) usage(`no such file or folder: ${input}`);
  token ??= process.env.INGEST_TOKEN ?? tokenFromDevVars();
  if (!token) usage("no token: pass --token, set INGEST_TOKEN, or run npm start once to write .dev.vars");
  await publish({ input, stream, to, token, fmp4 });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((e: unknown) => {
    console.error(`publish: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
