// A real ffmpeg pushes a short live HLS stream with `-method PUT` to the Worker under
// wrangler dev (chunked uploads, ffmpeg's own playlist rewrites and DELETEs), and we read
// back the live playlist, its segments and their hashes; with DVR_WINDOW_SECONDS=10 the
// window slides and the oldest segments are deleted while ffmpeg keeps pushing.
// The bundled ffmpeg (@ffmpeg-installer, a 2018 build) has no -headers option on its HLS
// muxer, so it authenticates with the token in the path (/ingest/token/<token>/…). When a
// system ffmpeg with HLS -headers is installed (Debian 12's 5.1 has it), the documented
// `-headers "Authorization: Bearer …"` command is pushed too; otherwise that test is skipped.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevWorker, type DevWorker } from "../../harness/dev-worker.ts";
import { waitForValue } from "../../harness/wait-for-value.ts";

let worker: DevWorker;
const sha = (b: ArrayBuffer) => createHash("sha256").update(new Uint8Array(b)).digest("hex");

function tagged(text: string): { uri: string; sha256: string | null }[] {
  const lines = text.split("\n").filter(Boolean);
  return lines.flatMap((l, i) =>
    l.startsWith("#") ? [] : [{ uri: l, sha256: lines[i - 1]?.startsWith("#EXT-X-EDGESWARM-SHA256:") ? lines[i - 1]!.slice(24) : null }],
  );
}

/** The exact command from docs/origin.md, with a tiny picture and a short duration. */
async function pushLive(url: string, seconds: number, opts: { ffmpeg?: string; headers?: string } = {}): Promise<{ code: number; log: string }> {
  const ffmpeg = opts.ffmpeg ?? (await import("@ffmpeg-installer/ffmpeg")).default.path;
  const args = [
    "-hide_banner",
    "-loglevel",
    "error",
    "-re",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=256x144:rate=15",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
    "-t",
    String(seconds),
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-g",
    "15",
    "-keyint_min",
    "15",
    "-sc_threshold",
    "0",
    "-c:a",
    "aac",
    "-b:a",
    "48k",
    "-f",
    "hls",
    "-hls_time",
    "1",
    "-hls_list_size",
    "5",
    "-hls_flags",
    "delete_segments",
    "-method",
    "PUT",
    ...(opts.headers ? ["-headers", opts.headers] : []),
    url,
  ];
  return new Promise((resolve) => {
    const child = spawn(ffmpeg, args, { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr.on("data", (d) => (log += d));
    child.on("exit", (code) => resolve({ code: code ?? -1, log }));
  });
}

/**
 * The playlist once it carries ENDLIST. ffmpeg exits right after sending its last PUT
 * without waiting for the answer; the Worker finishes storing it (waitUntil) a moment later.
 */
function finalPlaylist(url: string): Promise<string> {
  return waitForValue(
    async () => (await fetch(url)).text(),
    (text) => text.includes("#EXT-X-ENDLIST"),
    { timeout: 10_000, interval: 250 },
  );
}

/** A system ffmpeg whose HLS muxer has -headers (ffmpeg ≥ 4.4), or null. */
function systemFfmpegWithHeaders(): string | null {
  for (const p of [process.env.FFMPEG_PATH, "/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"]) {
    if (!p) continue;
    const r = spawnSync(p, ["-hide_banner", "-h", "muxer=hls"], { encoding: "utf8" });
    if (r.status === 0 && /^\s*-headers\s/m.test(r.stdout)) return p;
  }
  return null;
}
const SYSTEM_FFMPEG = systemFfmpegWithHeaders();

beforeAll(async () => {
  worker = await startDevWorker({ vars: { DVR_WINDOW_SECONDS: "10" } });
});
afterAll(async () => {
  await worker?.stop();
});

describe("live ingest with a real ffmpeg", () => {
  it("serves a growing live playlist whose every listed segment matches its hash, slides the DVR window and deletes old segments", async () => {
    const playlist = `${worker.url}/live/ffmpeg-live/index.m3u8`;
    const push = pushLive(`${worker.url}/ingest/token/test-ingest-token/live/ffmpeg-live/index.m3u8`, 16);
    // While ffmpeg pushes: the playlist appears and grows; every listed segment is fetchable.
    const seen = new Set<string>();
    let sawLiveWithoutEnd = false;
    const deadline = Date.now() + 60_000;
    let done = false;
    void push.then(() => (done = true));
    while (!done && Date.now() < deadline) {
      const r = await fetch(playlist);
      if (r.status === 200) {
        const text = await r.text();
        if (!text.includes("#EXT-X-ENDLIST")) sawLiveWithoutEnd = true;
        for (const s of tagged(text)) {
          expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
          if (seen.has(s.uri)) continue;
          const seg = await fetch(`${worker.url}/live/ffmpeg-live/${s.uri}`);
          // A segment can leave the 10 s window between the two requests; never a wrong hash.
          if (seg.status === 404) {
            await seg.arrayBuffer();
            continue;
          }
          expect(seg.status).toBe(200);
          const b = await seg.arrayBuffer();
          expect(sha(b)).toBe(s.sha256);
          expect(seg.headers.get("x-edgeswarm-sha256")).toBe(s.sha256);
          seen.add(s.uri);
        }
      } else {
        await r.arrayBuffer();
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    const { code, log } = await push;
    expect(code, log).toBe(0);
    expect(sawLiveWithoutEnd).toBe(true);
    expect(seen.size).toBeGreaterThanOrEqual(8);

    const final = await finalPlaylist(playlist);
    const segs = tagged(final);
    expect(final, final).toContain("#EXT-X-ENDLIST");
    // DVR 10 s of ~1 s segments: about 10 listed, the media sequence has moved past 0.
    const mediaSeq = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(final)![1]);
    expect(mediaSeq).toBeGreaterThan(0);
    const total = [...final.matchAll(/#EXTINF:([\d.]+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    expect(total).toBeLessThanOrEqual(10 + 2.5);
    for (const s of segs) {
      const b = await (await fetch(`${worker.url}/live/ffmpeg-live/${s.uri}`)).arrayBuffer();
      expect(sha(b)).toBe(s.sha256);
    }
    // The first segments left the window: deleted from R2, so 404.
    const gone = await fetch(`${worker.url}/live/ffmpeg-live/index0.ts`);
    expect(gone.status).toBe(404);
    await gone.arrayBuffer();
  });

  it.skipIf(!SYSTEM_FFMPEG)('accepts a push authenticated with -headers "Authorization: Bearer …" (system ffmpeg)', async () => {
    const { code, log } = await pushLive(`${worker.url}/ingest/live/ffmpeg-bearer/index.m3u8`, 4, {
      ffmpeg: SYSTEM_FFMPEG!,
      headers: "Authorization: Bearer test-ingest-token\r\n",
    });
    expect(code, log).toBe(0);
    const text = await finalPlaylist(`${worker.url}/live/ffmpeg-bearer/index.m3u8`);
    const segs = tagged(text);
    expect(segs.length, text).toBeGreaterThanOrEqual(3);
    expect(text).toContain("#EXT-X-ENDLIST");
    for (const s of segs) expect(sha(await (await fetch(`${worker.url}/live/ffmpeg-bearer/${s.uri}`)).arrayBuffer())).toBe(s.sha256);
  });

  it("refuses ffmpeg's uploads with a wrong token and stores nothing", async () => {
    const { log } = await pushLive(`${worker.url}/ingest/token/wrong-token/live/ffmpeg-denied/index.m3u8`, 2);
    expect(log).toMatch(/401|Unauthorized|Error/i);
    const r = await fetch(`${worker.url}/live/ffmpeg-denied/index.m3u8`);
    expect(r.status).toBe(404);
    await r.arrayBuffer();
  });
});
