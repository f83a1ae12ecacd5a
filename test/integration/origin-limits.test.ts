// Size limits over real HTTP (wrangler dev): a declared Content-Length over the segment
// limit is refused with 413 before the body is sent, and nothing is stored. The client sends
// `Expect: 100-continue` and holds the body until told to continue, as curl does for large
// uploads: the 413 must come without the body ever being asked for. (Writing part of the
// body and hanging up raced wrangler dev's local proxy, which sometimes answered 503
// "worker restarted mid-request" or never ended the 413 body.) (Chunked
// uploads cut off by counted bytes are tested in test/worker/origin/bad-input.test.ts:
// through wrangler dev's local proxy a 33 MB body takes ~30 s on this machine.)
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { describe, expect, inject, it } from "vitest";
import { MAX_SEGMENT_BYTES } from "../../worker/origin/limits";
import { PROXY_RESTARTED, PROXY_RESTART_RETRIES } from "../../harness/dev-worker.ts";

// The project's shared Worker (global-setup.ts); this file's stream names start with "big-".
const worker = inject("devWorker");

/** PUT with `Expect: 100-continue`; `continued` says whether the server asked for the body. */
function putExpectingContinue(path: string, contentLength: number): Promise<{ status: number; body: string; continued: boolean }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const headers = { authorization: "Bearer test-ingest-token", "content-length": String(contentLength), expect: "100-continue" };
    const req = request(`${worker.url}${path}`, { method: "PUT", agent: false, headers }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body, continued });
        req.destroy(); // the body is never sent
      });
    });
    req.on("continue", () => {
      continued = true;
      req.destroy(new Error("the server asked for the body of an over-limit upload"));
    });
    req.on("error", reject);
    req.flushHeaders();
  });
}

/** The shared Worker's log tail, for a failure message. */
const logTail = () => readFileSync(worker.logFile, "utf8").split("\n").slice(-40).join("\n");

describe("upload size limits over HTTP", () => {
  it("refuses a Content-Length over the segment limit with 413 without waiting for the body", async () => {
    let r = await putExpectingContinue("/ingest/vod/big-cl/a.ts", MAX_SEGMENT_BYTES + 1);
    for (let retry = 0; retry < PROXY_RESTART_RETRIES && r.status === 503 && r.body.startsWith(PROXY_RESTARTED); retry++) {
      r = await putExpectingContinue("/ingest/vod/big-cl/a.ts", MAX_SEGMENT_BYTES + 1);
    }
    expect(r.continued).toBe(false);
    expect(r.status, `${r.body}\n--- wrangler dev log ---\n${logTail()}`).toBe(413);
    expect(JSON.parse(r.body)).toEqual({ error: `body larger than ${MAX_SEGMENT_BYTES} bytes` });
    const head = await fetch(`${worker.url}/streams/big-cl/a.ts`);
    expect(head.status).toBe(404);
    await head.arrayBuffer();
  });
});
