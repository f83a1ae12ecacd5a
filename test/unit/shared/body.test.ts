// readBounded: the one reader for outside bodies counts the stream itself and stops at the limit.
import { describe, expect, it } from "vitest";
import { readBounded } from "../../../shared/body";

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

  it("reads a missing body as empty", async () => {
    const r = await readBounded(null, 0);
    expect(r.ok && r.value.byteLength).toBe(0);
  });
});
