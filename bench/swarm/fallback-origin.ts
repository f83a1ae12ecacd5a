// A stand-in HLS origin for the swarm bench while the Worker's built-in live channel is
// not there: a short ffmpeg test clip (two renditions, 2 s segments) served over loopback
// as VOD (/streams/sample/master.m3u8) and as a simulated live channel
// (/live/loop/master.m3u8: a 6-segment window over the looped clip whose media sequence
// advances with wall-clock time, EXT-X-DISCONTINUITY at each loop), with the
// #EXT-X-EDGESWARM-SHA256 tag and x-edgeswarm-sha256 header of the team contract.
// It is a measuring aid, not the product: no R2, no DVR, no ingest. The bench says in its
// output whenever it had to use it.
import { HASH_HEADER, hashTagLine } from "../../shared/hash-tag";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SEG_SECONDS = 2;
const CLIP_SECONDS = 40;
const WINDOW = 6;
const RENDITIONS = [
  { name: "360p", w: 640, h: 360, kbps: 600 },
  { name: "180p", w: 320, h: 180, kbps: 200 },
];

export interface FallbackOrigin {
  url: string;
  stop(): Promise<void>;
}

async function ffmpegPath(): Promise<string> {
  if (process.env.FFMPEG_PATH) return process.env.FFMPEG_PATH;
  const mod = (await import("@ffmpeg-installer/ffmpeg")) as { default: { path: string } };
  return mod.default.path;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err = (err + String(d)).slice(-2000)));
    p.on("error", rej);
    p.on("exit", (c) => (c === 0 ? res() : rej(new Error(`ffmpeg exited ${c}: ${err}`))));
  });
}

/** Makes the clip once into a cache dir keyed by its shape; returns segment files per rendition. */
async function makeClip(): Promise<Map<string, Buffer[]>> {
  const key = createHash("sha256")
    .update(JSON.stringify({ SEG_SECONDS, CLIP_SECONDS, RENDITIONS, v: 1 }))
    .digest("hex")
    .slice(0, 12);
  const dir = join(tmpdir(), `edgeswarm-bench-clip-${key}`);
  const out = new Map<string, Buffer[]>();
  const load = () => {
    for (const r of RENDITIONS) {
      const files = readdirSync(join(dir, r.name))
        .filter((f) => f.endsWith(".ts"))
        .sort();
      out.set(
        r.name,
        files.map((f) => readFileSync(join(dir, r.name, f))),
      );
    }
  };
  if (existsSync(join(dir, "done"))) {
    load();
    return out;
  }
  rmSync(dir, { recursive: true, force: true });
  const ffmpeg = await ffmpegPath();
  for (const r of RENDITIONS) {
    mkdirSync(join(dir, r.name), { recursive: true });
    await run(ffmpeg, [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=${r.w}x${r.h}:rate=25:duration=${CLIP_SECONDS}`,
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=440:sample_rate=44100:duration=${CLIP_SECONDS}`,
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-profile:v",
      "main",
      "-b:v",
      `${r.kbps}k`,
      "-maxrate",
      `${r.kbps}k`,
      "-bufsize",
      `${r.kbps * 2}k`,
      "-g",
      "50",
      "-keyint_min",
      "50",
      "-sc_threshold",
      "0",
      "-c:a",
      "aac",
      "-b:a",
      "64k",
      "-f",
      "hls",
      "-hls_time",
      String(SEG_SECONDS),
      "-hls_list_size",
      "0",
      "-hls_segment_filename",
      join(dir, r.name, "%05d.ts"),
      join(dir, r.name, "index.m3u8"),
    ]);
  }
  await run("touch", [join(dir, "done")]);
  load();
  return out;
}

export async function startFallbackOrigin(): Promise<FallbackOrigin> {
  const clip = await makeClip();
  const sha = new Map<string, string[]>();
  for (const [name, segs] of clip)
    sha.set(
      name,
      segs.map((b) => createHash("sha256").update(b).digest("hex")),
    );
  const count = Math.min(...[...clip.values()].map((s) => s.length));
  // Start a few windows in, so the first viewer already sees a full live window.
  const epoch = Date.now() - WINDOW * SEG_SECONDS * 1000;

  const master = (base: string) =>
    [
      "#EXTM3U",
      "#EXT-X-VERSION:3",
      ...RENDITIONS.flatMap((r) => [
        `#EXT-X-STREAM-INF:BANDWIDTH=${(r.kbps + 64) * 1000},RESOLUTION=${r.w}x${r.h},CODECS="avc1.4d401e,mp4a.40.2"`,
        `${base}/${r.name}/index.m3u8`,
      ]),
    ].join("\n") + "\n";

  const media = (kind: "live" | "vod", name: string) => {
    const hashes = sha.get(name) ?? [];
    const live = kind === "live";
    const head = live ? Math.floor((Date.now() - epoch) / (SEG_SECONDS * 1000)) : count - 1;
    const first = live ? Math.max(0, head - WINDOW + 1) : 0;
    const lines = ["#EXTM3U", "#EXT-X-VERSION:3", `#EXT-X-TARGETDURATION:${SEG_SECONDS}`, `#EXT-X-MEDIA-SEQUENCE:${first}`];
    for (let sn = first; sn <= head; sn++) {
      const i = sn % count;
      if (live && i === 0 && sn > 0) lines.push("#EXT-X-DISCONTINUITY");
      lines.push(`#EXTINF:${SEG_SECONDS.toFixed(3)},`, hashTagLine(hashes[i]!), `${sn}.ts`);
    }
    if (!live) lines.push("#EXT-X-ENDLIST");
    return lines.join("\n") + "\n";
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-store", ...extra });
      res.end(body);
    };
    const m = /^\/(live\/loop|streams\/sample)\/(?:(master)\.m3u8|([a-z0-9]+)\/(?:(index)\.m3u8|(\d{1,9})\.ts))$/.exec(path);
    const kind = m?.[1] === "live/loop" ? "live" : "vod";
    if (m?.[2]) return send(200, "application/vnd.apple.mpegurl", master(`/${m[1]}`));
    const rend = m?.[3];
    const segs = rend ? clip.get(rend) : undefined;
    if (!m || !rend || !segs) return send(404, "application/json", JSON.stringify({ error: "not found" }));
    if (m[4]) return send(200, "application/vnd.apple.mpegurl", media(kind, rend));
    const sn = Number(m[5]);
    if (kind === "vod" && sn >= count) return send(404, "application/json", JSON.stringify({ error: "no such segment" }));
    const i = sn % count;
    const body = segs[i];
    if (!body) return send(404, "application/json", JSON.stringify({ error: "no such segment" }));
    send(200, "video/mp2t", body, { [HASH_HEADER]: sha.get(rend)?.[i] ?? "" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
