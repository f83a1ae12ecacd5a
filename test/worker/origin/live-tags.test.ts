// A hostile live playlist through the real Worker: tags outside the allowlist
// (worker/origin/live-tags.ts) are never served, while the stream itself still plays.
import { describe, expect, it } from "vitest";
import { liveLineAllowed } from "../../../worker/origin/live-tags";
import { get, ingest, segmentBytes, sha256, taggedSegments, textOf } from "./helpers";

const hostile = (uris: string[], seq: number) =>
  [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    "#EXT-X-INDEPENDENT-SEGMENTS",
    "#EXT-X-TARGETDURATION:2",
    `#EXT-X-MEDIA-SEQUENCE:${seq}`,
    "#EXT-X-START:TIME-OFFSET=-1",
    "#X-UNKNOWN-VENDOR:1",
    '#EXT-X-KEY:METHOD=AES-128,URI="https://evil.example/key.bin"',
    '#EXT-X-MAP:URI="javascript:alert(document.domain)"',
    ...uris.flatMap((u, i) => [
      ...(i === 1 ? ['#EXT-X-MAP:URI="init.mp4"', "#EXT-X-PROGRAM-DATE-TIME:2026-12-02T17:00:02Z"] : []),
      '#EXT-X-DATERANGE:ID="x",START-DATE="2026-12-02T17:00:00Z",X-AD-URL="https://evil.example/ad"',
      "#EXT-X-EDGESWARM-SHA256:" + "0".repeat(64),
      "#EXTINF:2.000,",
      u,
    ]),
    '#EXT-X-MAP:URI="https://evil.example/init.mp4"',
  ].join("\n") + "\n";

describe("live playlist tag allowlist", () => {
  it("serves an ingested hostile playlist with only allowed tags: no KEY, foreign MAP, DATERANGE, START or unknown tag", async () => {
    const stream = "live-tags";
    for (const n of ["s0.ts", "s1.ts"]) expect((await ingest(`live/${stream}/${n}`, segmentBytes(n))).status).toBe(201);
    const put = await ingest(`live/${stream}/index.m3u8`, hostile(["s0.ts", "s1.ts"], 0));
    expect(put.status).toBe(200);

    const r = await get(`/live/${stream}/index.m3u8`);
    expect(r.status).toBe(200);
    const text = await textOf(r);
    const lines = text.trim().split("\n");
    for (const l of lines) expect(liveLineAllowed(l, "index.m3u8"), l).toBe(true);
    expect(text).not.toMatch(/evil\.example|javascript:|EXT-X-KEY|DATERANGE|EXT-X-START|X-UNKNOWN/);
    // What HLS live needs is still there, and the hashes are the Worker's, not the sender's.
    expect(lines.slice(0, 3)).toEqual(["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]);
    expect(text).toContain('#EXT-X-MAP:URI="init.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-12-02T17:00:02Z\n');
    expect(taggedSegments(text)).toEqual([
      { uri: "s0.ts", sha256: await sha256(segmentBytes("s0.ts")), bytes: segmentBytes("s0.ts").byteLength },
      { uri: "s1.ts", sha256: await sha256(segmentBytes("s1.ts")), bytes: segmentBytes("s1.ts").byteLength },
    ]);
  });

  it("keeps filtering as the window slides: a later hostile playlist adds segments, never tags", async () => {
    const stream = "live-tags-b";
    for (let i = 0; i < 4; i++) {
      expect((await ingest(`live/${stream}/s${i}.ts`, segmentBytes(`b${i}`))).status).toBe(201);
      const uris = Array.from({ length: Math.min(i + 1, 3) }, (_, k) => `s${Math.max(0, i - 2) + k}.ts`);
      expect((await ingest(`live/${stream}/index.m3u8`, hostile(uris, Math.max(0, i - 2)))).status).toBe(200);
    }
    const text = await textOf(await get(`/live/${stream}/index.m3u8`));
    expect(taggedSegments(text).map((s) => s.uri)).toEqual(["s0.ts", "s1.ts", "s2.ts", "s3.ts"]);
    for (const l of text.trim().split("\n")) expect(liveLineAllowed(l, "index.m3u8"), l).toBe(true);
  });

  it("serves an ingested live master without EXT-X-SESSION-* or unknown tags, its variants intact", async () => {
    const master = [
      "#EXTM3U",
      '#EXT-X-SESSION-KEY:METHOD=AES-128,URI="https://evil.example/k"',
      '#EXT-X-SESSION-DATA:DATA-ID="com.evil",VALUE="1"',
      "#X-UNKNOWN:1",
      "#EXT-X-STREAM-INF:BANDWIDTH=800000",
      "low/index.m3u8",
    ].join("\n");
    expect((await ingest("live/live-tags-m/master.m3u8", master)).status).toBe(201);
    const text = await textOf(await get("/live/live-tags-m/master.m3u8"));
    expect(text).not.toMatch(/SESSION|X-UNKNOWN|evil/);
    expect(text).toContain("#EXT-X-STREAM-INF:BANDWIDTH=800000\nlow/index.m3u8\n");
  });
});
