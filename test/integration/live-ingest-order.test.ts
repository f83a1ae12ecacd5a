// Live ingest under overlapping, reordered PUTs (issue 14 M5) on the real Worker (wrangler
// dev, the project's shared one): 30 runs of ffmpeg's 24 PUTs for a 12-segment stream (12
// segments, 12 growing playlists, the last with ENDLIST), all in flight at once in a random
// order. Every run must serve all 12 segments in order with their hashes and ENDLIST, no
// discontinuity, and DELETE must empty the stream for the next run on the same object.
// (test/worker/origin/live-ingest.test.ts runs 6 of these in workerd; see why it stops there.)
import { createHash } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { PROXY_RESTARTED, PROXY_RESTART_RETRIES } from "../../harness/dev-worker.ts";

const worker = inject("devWorker");
const AUTH = { authorization: "Bearer test-ingest-token" };
const RUNS = 30;
const N = 12;

const bytesOf = (name: string) => Buffer.from(`${name} `.repeat(200));
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

function playlist(uris: string[], end: boolean): string {
  const lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:0"];
  for (const u of uris) lines.push("#EXTINF:2.000,", u);
  if (end) lines.push("#EXT-X-ENDLIST");
  return lines.join("\n") + "\n";
}

/** The request's status; wrangler dev's own "restarted mid-request" 503 is sent again (PROXY_RESTARTED). */
async function send(path: string, method: "PUT" | "DELETE", body?: string | Buffer): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(`${worker.url}/ingest/${path}`, { method, headers: AUTH, body: typeof body === "string" ? body : body && new Uint8Array(body) });
    const text = await r.text(); // read every answer to the end
    if (r.status === 503 && text.startsWith(PROXY_RESTARTED) && attempt < PROXY_RESTART_RETRIES) continue;
    return r.status;
  }
}

/** (uri, hash) pairs of a served live playlist, hash tag directly before the URI. */
function tagged(text: string): { uri: string; sha256: string | null }[] {
  const lines = text.split("\n").filter(Boolean);
  return lines.flatMap((l, i) =>
    l.startsWith("#") ? [] : [{ uri: l, sha256: lines[i - 1]?.startsWith("#EXT-X-EDGESWARM-SHA256:") ? lines[i - 1]!.slice(24) : null }],
  );
}

describe("live ingest with every PUT of a stream in flight at once, in random order", () => {
  it(`serves every segment in order with ENDLIST on each of ${RUNS} runs`, { timeout: 180_000 }, async () => {
    const stream = "order-hammer";
    const names = Array.from({ length: N }, (_, i) => `index${i}.ts`);
    for (let run = 0; run < RUNS; run++) {
      const puts = [
        ...names.map((u) => () => send(`live/${stream}/${u}`, "PUT", bytesOf(`${run}-${u}`))),
        // hls_list_size 12: every playlist is anchored to the others by the list's first segment.
        ...names.map((_, i) => () => send(`live/${stream}/index.m3u8`, "PUT", playlist(names.slice(0, i + 1), i === N - 1))),
      ];
      for (let i = puts.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [puts[i], puts[j]] = [puts[j]!, puts[i]!];
      }
      const statuses = await Promise.all(puts.map((p) => p()));
      expect(
        statuses.every((st) => st === 200 || st === 201),
        `run ${run}: ${statuses}`,
      ).toBe(true);
      const res = await fetch(`${worker.url}/live/${stream}/index.m3u8`);
      const text = await res.text();
      const listed = tagged(text);
      expect(
        listed.map((s) => s.uri),
        `run ${run}:\n${text}`,
      ).toEqual(names);
      for (const s of listed) expect(s.sha256, `run ${run} ${s.uri}`).toBe(sha(bytesOf(`${run}-${s.uri}`)));
      expect(text, `run ${run}`).toContain("#EXT-X-MEDIA-SEQUENCE:0\n");
      expect(text, `run ${run}`).toContain("#EXT-X-ENDLIST");
      expect(text, `run ${run}`).not.toContain("#EXT-X-DISCONTINUITY");
      expect(await send(`live/${stream}`, "DELETE"), `run ${run}: DELETE`).toBe(200);
    }
  });
});
