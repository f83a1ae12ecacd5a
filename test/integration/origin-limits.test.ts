// Size limits over real HTTP (wrangler dev): a declared Content-Length over the segment
// limit is refused with 413 before the body is sent, and nothing is stored. (Chunked
// uploads cut off by counted bytes are tested in test/worker/origin/bad-input.test.ts:
// through wrangler dev's local proxy a 33 MB body takes ~30 s on this machine.)
import { request } from "node:http";
import { describe, expect, inject, it } from "vitest";
import { MAX_SEGMENT_BYTES } from "../../worker/origin/limits";

// The project's shared Worker (global-setup.ts); this file's stream names start with "big-".
const worker = inject("devWorker");

function put(path: string, headers: Record<string, string>, write: (req: ReturnType<typeof request>) => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${worker.url}${path}`, { method: "PUT", headers: { authorization: "Bearer test-ingest-token", ...headers } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body });
        req.destroy(); // the rest of an over-limit body is not wanted
      });
    });
    req.on("error", (e) => (e.message.includes("socket hang up") || (e as NodeJS.ErrnoException).code === "EPIPE" ? undefined : reject(e)));
    write(req);
  });
}

describe("upload size limits over HTTP", () => {
  it("refuses a Content-Length over the segment limit with 413 without waiting for the body", async () => {
    const r = await put("/ingest/vod/big-cl/a.ts", { "content-length": String(MAX_SEGMENT_BYTES + 1) }, (req) => req.write(Buffer.alloc(1024)));
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual({ error: `body larger than ${MAX_SEGMENT_BYTES} bytes` });
    const head = await fetch(`${worker.url}/streams/big-cl/a.ts`);
    expect(head.status).toBe(404);
    await head.arrayBuffer();
  });
});
