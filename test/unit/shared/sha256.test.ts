// sha256Hex: WebCrypto's digest as lowercase hex, equal to Node's own.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256Hex, toHex } from "../../../shared/sha256";

describe("sha256Hex", () => {
  it("matches node:crypto for empty and non-empty input, from a buffer or a view", async () => {
    for (const text of ["", "abc", "x".repeat(1000)]) {
      const bytes = new TextEncoder().encode(text);
      const want = createHash("sha256").update(bytes).digest("hex");
      expect(await sha256Hex(bytes)).toBe(want);
      expect(await sha256Hex(bytes.buffer)).toBe(want);
    }
  });

  it("toHex pads every byte to two lowercase digits", () => {
    expect(toHex(new Uint8Array([0, 15, 16, 255]))).toBe("000f10ff");
  });
});
