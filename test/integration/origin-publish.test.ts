// `npm run publish` end to end: a short generated video file is transcoded by the real
// ffmpeg into the 3-rendition ladder and uploaded through the ingest API of a Worker
// under wrangler dev; then master, media playlists and segments are played back and
// every hash tag is checked against the bytes served. Also publishes an HLS folder.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
// The project's shared Worker (global-setup.ts); this file's stream names start with "pub-".
const worker = inject("devWorker");
let tmp: string;
const sha = (b: ArrayBuffer) => createHash("sha256").update(new Uint8Array(b)).digest("hex");

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    const c = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    c.stdout.on("data", (d) => (out += d));
    c.stderr.on("data", (d) => (out += d));
    c.on("exit", (code) => res({ code: code ?? -1, out }));
  });
}
const publishCli = (...args: string[]) => run(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), join(ROOT, "scripts/publish.ts"), ...args]);

async function makeVideo(path: string, tone: number): Promise<void> {
  const ffmpeg = (await import("@ffmpeg-installer/ffmpeg")).default.path;
  const r = await run(ffmpeg, [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=320x180:rate=24",
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=${tone}`,
    "-t",
    "4",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-c:a",
    "aac",
    "-shortest",
    path,
  ]);
  expect(r.code, r.out).toBe(0);
}

function tagged(text: string): { uri: string; sha256: string | null }[] {
  const lines = text.split("\n").filter(Boolean);
  return lines.flatMap((l, i) =>
    l.startsWith("#") ? [] : [{ uri: l, sha256: lines[i - 1]?.startsWith("#EXT-X-EDGESWARM-SHA256:") ? lines[i - 1]!.slice(24) : null }],
  );
}

async function checkStream(stream: string): Promise<number> {
  const master = await (await fetch(`${worker.url}/streams/${stream}/master.m3u8`)).text();
  const inf = master.split("\n").filter((l) => l.startsWith("#EXT-X-STREAM-INF:"));
  expect(inf).toHaveLength(3);
  for (const l of inf) expect(l).toMatch(/BANDWIDTH=\d+.*RESOLUTION=\d+x\d+.*CODECS="avc1\.4d401e,mp4a\.40\.2"/);
  let checked = 0;
  for (const v of master.split("\n").filter((l) => l && !l.startsWith("#"))) {
    const media = await (await fetch(`${worker.url}/streams/${stream}/${v}`)).text();
    expect(media).toContain("#EXT-X-ENDLIST");
    const dir = v.slice(0, v.lastIndexOf("/") + 1);
    const segs = tagged(media);
    expect(segs.length).toBeGreaterThanOrEqual(2);
    for (const s of segs) {
      const r = await fetch(`${worker.url}/streams/${stream}/${dir}${s.uri}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("video/mp2t");
      expect(sha(await r.arrayBuffer())).toBe(s.sha256);
      checked++;
    }
  }
  return checked;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "edgeswarm-pub-test-"));
  await Promise.all([makeVideo(join(tmp, "clip.mp4"), 440), makeVideo(join(tmp, "other.mp4"), 880)]);
});
afterAll(async () => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("npm run publish", () => {
  it("transcodes a video file to 3 renditions of 2 s segments and publishes it; every tag matches the served bytes", async () => {
    const r = await publishCli(join(tmp, "clip.mp4"), "--stream", "pub-file", "--to", worker.url, "--token", "test-ingest-token");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`${worker.url}/streams/pub-file/master.m3u8`);
    const checked = await checkStream("pub-file");
    expect(checked).toBeGreaterThanOrEqual(6);
    const media = await (await fetch(`${worker.url}/streams/pub-file/360p/index.m3u8`)).text();
    const durations = [...media.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
    expect(durations[0]).toBeCloseTo(2, 1);
  });

  it("refuses to publish different content over a published stream (exit 1, 409) and leaves it intact", async () => {
    const before = await (await fetch(`${worker.url}/streams/pub-file/144p/index.m3u8`)).text();
    const r = await publishCli(join(tmp, "other.mp4"), "--stream", "pub-file", "--to", worker.url, "--token", "test-ingest-token");
    expect(r.code).toBe(1);
    expect(r.out).toContain("409");
    expect(await (await fetch(`${worker.url}/streams/pub-file/144p/index.m3u8`)).text()).toBe(before);
    await checkStream("pub-file");
  });

  it("publishes an existing HLS folder as is (the built sample)", async () => {
    const r = await publishCli(join(ROOT, "dist/public/streams/sample"), "--stream", "pub-folder", "--to", worker.url, "--token", "test-ingest-token");
    expect(r.code, r.out).toBe(0);
    expect(await checkStream("pub-folder")).toBe(45);
  });

  it("fails with a clear message and exit 1 on a wrong token", async () => {
    const r = await publishCli(join(ROOT, "dist/public/streams/sample"), "--stream", "pub-denied", "--to", worker.url, "--token", "nope");
    expect(r.code).toBe(1);
    expect(r.out).toContain("401");
  });
});
