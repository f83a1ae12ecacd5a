// readBounded: the one reader for outside bodies counts the stream itself and stops at the limit;
// readRequestBounded refuses a bad or too large Content-Length before reading.
import { describe, expect, it } from "vitest";
import { readBounded, readRequestBounded } from "../../../shared/body";

function streamOf(chunks: number[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      const n = chunks[i++];
      if (n === undefined) c.close();
      else c.enqueue(new Uint8Array(n).fill(i));
    },
    cancel() {
      onCancel?.();
    },
  });
}

describe("readBounded", () => {
  it("joins the chunks in order and reports each one", async () => {
    const seen: number[] = [];
    const r = await readBounded(streamOf([2, 3]), 5, (n) => seen.push(n));
    expect(r.ok && [...r.value]).toEqual([1, 1, 2, 2, 2]);
    expect(seen).toEqual([2, 3]);
  });

  it("refuses one byte over the limit and cancels the rest of the stream", async () => {
    let cancelled = false;
    const r = await readBounded(
      streamOf([3, 3, 100], () => (cancelled = true)),
      5,
    );
    expect(r).toEqual({ ok: false, reason: "too-large" });
    expect(cancelled).toBe(true);
  });

  it("counts and drops the chunks when told not to keep them, still refusing past the limit", async () => {
    const seen: number[] = [];
    const r = await readBounded(streamOf([2, 3]), 5, (n) => seen.push(n), false);
    expect(r.ok && r.value.byteLength).toBe(0);
    expect(seen).toEqual([2, 3]);
    expect(await readBounded(streamOf([3, 3]), 5, undefined, false)).toEqual({ ok: false, reason: "too-large" });
  });

  it("reads a missing body as empty", async () => {
    const r = await readBounded(null, 0);
    expect(r.ok && r.value.byteLength).toBe(0);
  });
});

describe("readRequestBounded", () => {
  const post = (body: ReadableStream<Uint8Array> | null, contentLength?: string) =>
    new Request("http://x/", {
      method: "POST",
      body,
      headers: contentLength === undefined ? {} : { "content-length": contentLength },
      duplex: "half",
    } as RequestInit);

  it("reads a body within the limit, with or without a Content-Length", async () => {
    const declared = await readRequestBounded(post(streamOf([2, 3]), "5"), 5);
    expect(declared.ok && declared.value.byteLength).toBe(5);
    const chunked = await readRequestBounded(post(streamOf([2, 3])), 5);
    expect(chunked.ok && chunked.value.byteLength).toBe(5);
  });

  it("refuses a Content-Length over the limit, or malformed, without reading a byte", async () => {
    for (const cl of ["6", "-1", "5.0", "1e3", "", "99999999999999999"]) {
      let pulled = false;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          pulled = true;
          c.close();
        },
      });
      expect(await readRequestBounded(post(body, cl), 5), cl).toEqual({ ok: false, reason: "too-large" });
      expect(pulled, cl).toBe(false);
    }
  });

  it("counts a body longer than its Content-Length says", async () => {
    expect(await readRequestBounded(post(streamOf([4, 4]), "4"), 5)).toEqual({ ok: false, reason: "too-large" });
  });
});
