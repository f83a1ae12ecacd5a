// The in-house SHA-256 (client/sha256.ts) against node:crypto and the FIPS 180-4 examples:
// every padding boundary, multi-MiB inputs, views into larger buffers, and its derived constants.
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { H0, K, sha256 } from "../../../client/sha256";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const nodeSha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const words = (a: Int32Array) => Array.from(a, (w) => (w >>> 0).toString(16).padStart(8, "0"));

describe("sha256 constants", () => {
  it("derives the FIPS 180-4 round constants K (§4.2.2)", () => {
    expect(words(K).join(" ")).toBe(
      [
        "428a2f98 71374491 b5c0fbcf e9b5dba5 3956c25b 59f111f1 923f82a4 ab1c5ed5",
        "d807aa98 12835b01 243185be 550c7dc3 72be5d74 80deb1fe 9bdc06a7 c19bf174",
        "e49b69c1 efbe4786 0fc19dc6 240ca1cc 2de92c6f 4a7484aa 5cb0a9dc 76f988da",
        "983e5152 a831c66d b00327c8 bf597fc7 c6e00bf3 d5a79147 06ca6351 14292967",
        "27b70a85 2e1b2138 4d2c6dfc 53380d13 650a7354 766a0abb 81c2c92e 92722c85",
        "a2bfe8a1 a81a664b c24b8b70 c76c51a3 d192e819 d6990624 f40e3585 106aa070",
        "19a4c116 1e376c08 2748774c 34b0bcb5 391c0cb3 4ed8aa4a 5b9cca4f 682e6ff3",
        "748f82ee 78a5636f 84c87814 8cc70208 90befffa a4506ceb bef9a3f7 c67178f2",
      ].join(" "),
    );
  });
  it("derives the FIPS 180-4 initial hash value H(0) (§5.3.3)", () => {
    expect(words(H0).join(" ")).toBe("6a09e667 bb67ae85 3c6ef372 a54ff53a 510e527f 9b05688c 1f83d9ab 5be0cd19");
  });
});

describe("sha256 test vectors (FIPS 180-4 examples)", () => {
  const ascii = (s: string) => new TextEncoder().encode(s);
  it('hashes "abc" (one block)', () => {
    expect(hex(sha256(ascii("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  it("hashes the 448-bit message that needs a second padding block", () => {
    expect(hex(sha256(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });
  it("hashes one million 'a'", () => {
    expect(hex(sha256(new Uint8Array(1_000_000).fill(0x61)))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });
  it("hashes the empty message", () => {
    expect(hex(sha256(new Uint8Array(0)))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});

describe("sha256 equals node:crypto", () => {
  it("for every length from 0 to 300 bytes (all padding boundaries of up to 4 blocks)", () => {
    const data = randomBytes(300);
    for (let n = 0; n <= 300; n++) {
      const b = data.subarray(0, n);
      expect(hex(sha256(b)), `${n} bytes`).toBe(nodeSha(b));
    }
  });
  it("for lengths around the one- and two-block padding edges (55/56, 63/64, 119/120, 127/128)", () => {
    for (const n of [54, 55, 56, 57, 62, 63, 64, 65, 118, 119, 120, 121, 126, 127, 128, 129, 183, 184, 191, 192]) {
      const b = randomBytes(n);
      expect(hex(sha256(b)), `${n} bytes`).toBe(nodeSha(b));
    }
  });
  it("for 1 MiB and 5 MiB of random data, and 5 MiB + 57 bytes", () => {
    for (const n of [1 << 20, 5 << 20, (5 << 20) + 57]) {
      const b = randomBytes(n);
      expect(hex(sha256(b)), `${n} bytes`).toBe(nodeSha(b));
    }
  });
  it("for an ArrayBuffer, and for views that hash only their own range", () => {
    const backing = randomBytes(1000);
    const buf = backing.buffer.slice(backing.byteOffset, backing.byteOffset + 1000) as ArrayBuffer;
    expect(hex(sha256(buf))).toBe(nodeSha(backing));
    for (const [offset, length] of [
      [1, 0],
      [3, 55],
      [37, 200],
      [61, 64],
      [999, 1],
      [100, 900],
    ] as const) {
      const want = nodeSha(backing.subarray(offset, offset + length));
      expect(hex(sha256(new Uint8Array(buf, offset, length))), `Uint8Array ${offset}+${length}`).toBe(want);
      expect(hex(sha256(new DataView(buf, offset, length))), `DataView ${offset}+${length}`).toBe(want);
    }
    // A view of another element type still hashes its bytes, not its elements.
    expect(hex(sha256(new Uint32Array(buf, 8, 30)))).toBe(nodeSha(backing.subarray(8, 128)));
  });
  it("leaves the input untouched and gives the same digest when called again", () => {
    const b = randomBytes(777);
    const before = Buffer.from(b);
    const first = hex(sha256(b));
    expect(hex(sha256(b))).toBe(first);
    expect(b.equals(before)).toBe(true);
  });
});
