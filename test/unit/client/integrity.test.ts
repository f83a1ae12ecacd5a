// Hashes from #EXT-X-EDGESWARM-SHA256 tags, and the check with real SHA-256: WebCrypto, and
// the JS fallback for pages without crypto.subtle (globalThis.crypto stubbed per test).
import { createHash, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HASH_TAG, SIZE_TAG } from "../../../shared/hash-tag";
import { HashBook, MAX_HASHES, hashBackend, hashOfFragment, sha256Hex, useJsSha256 } from "../../../client/integrity";

const bytes = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;
const hex = (s: string) => createHash("sha256").update(s).digest("hex");

describe("hashOfFragment", () => {
  it("reads the tag hls.js keeps in frag.tagList", () => {
    expect(
      hashOfFragment({
        url: "u",
        tagList: [
          ["INF", "2"],
          [HASH_TAG, hex("a")],
        ],
      }),
    ).toBe(hex("a"));
  });
  it("ignores malformed hashes (uppercase, short, missing)", () => {
    expect(hashOfFragment({ url: "u", tagList: [[HASH_TAG, hex("a").toUpperCase()]] })).toBeUndefined();
    expect(hashOfFragment({ url: "u", tagList: [[HASH_TAG, "abc"]] })).toBeUndefined();
    expect(hashOfFragment({ url: "u", tagList: [[HASH_TAG]] })).toBeUndefined();
    expect(hashOfFragment({ url: "u" })).toBeUndefined();
  });
});

describe("HashBook.verify", () => {
  const book = new HashBook();
  const known = book.learn([
    { url: "https://w/s/1.ts", tagList: [[HASH_TAG, hex("segment one")]] },
    { url: "https://w/s/2.ts", tagList: [["INF", "2"]] },
    { url: "https://w/s/3.ts", byteRange: [100, 200], tagList: [[HASH_TAG, hex("ranged")]] },
  ]);

  it("says which fragments carry a hash", () => {
    expect(known).toEqual([true, false, true]);
  });
  it("accepts bytes that match the Worker's hash", async () => {
    expect(await book.verify("https://w/s/1.ts", undefined, bytes("segment one"))).toBe("ok");
  });
  it("rejects bytes that differ by one character", async () => {
    expect(await book.verify("https://w/s/1.ts", undefined, bytes("segment onE"))).toBe("mismatch");
  });
  it("never accepts a segment without a published hash", async () => {
    expect(await book.verify("https://w/s/2.ts", undefined, bytes("anything"))).toBe("unknown");
    expect(await book.verify("https://w/s/9.ts", undefined, bytes("anything"))).toBe("unknown");
  });
  it("keys byte-range segments by their inclusive range", async () => {
    expect(await book.verify("https://w/s/3.ts", { start: 100, end: 199 }, bytes("ranged"))).toBe("ok");
    expect(await book.verify("https://w/s/3.ts", undefined, bytes("ranged"))).toBe("unknown");
  });
});

describe("HashBook.bytes", () => {
  it("keeps the size published beside a hash, under the same key, and forgets a withdrawn one", () => {
    const book = new HashBook();
    book.learn([
      {
        url: "https://w/s/1.ts",
        tagList: [
          [SIZE_TAG, "5000"],
          [HASH_TAG, hex("a")],
        ],
      },
      { url: "https://w/s/2.ts", tagList: [[SIZE_TAG, "5000"]] },
      {
        url: "https://w/s/3.ts",
        byteRange: [100, 200],
        tagList: [
          [SIZE_TAG, "100"],
          [HASH_TAG, hex("b")],
        ],
      },
      {
        url: "https://w/s/4.ts",
        tagList: [
          [SIZE_TAG, "-1"],
          [HASH_TAG, hex("c")],
        ],
      },
    ]);
    expect(book.bytes("https://w/s/1.ts")).toBe(5000);
    expect(book.bytes("https://w/s/2.ts")).toBeUndefined(); // no hash: never fetched from peers
    expect(book.bytes("https://w/s/3.ts", { start: 100, end: 199 })).toBe(100);
    expect(book.bytes("https://w/s/4.ts")).toBeUndefined(); // malformed: unknown, not trusted
    book.learn([{ url: "https://w/s/1.ts", tagList: [[HASH_TAG, hex("a")]] }]);
    expect(book.bytes("https://w/s/1.ts")).toBeUndefined();
  });
});

describe("HashBook bounds", () => {
  it("forgets the oldest hashes past MAX_HASHES and keeps the newest", () => {
    const book = new HashBook();
    const frags = Array.from({ length: MAX_HASHES + 10 }, (_, i) => ({ url: `u${i}`, tagList: [[HASH_TAG, hex(String(i))]] }));
    book.learn(frags);
    expect(book.size).toBe(MAX_HASHES);
    expect(book.has("u0")).toBe(false);
    expect(book.get(`u${MAX_HASHES + 9}`)).toBe(hex(String(MAX_HASHES + 9)));
  });
});

describe("sha256Hex", () => {
  it("matches node:crypto", async () => {
    expect(await sha256Hex(bytes("hello"))).toBe(hex("hello"));
  });
});

/** Inputs of the sizes the fallback must get right: empty, one byte, one block, 1 MiB. */
function cases(): Array<[string, ArrayBuffer | ArrayBufferView, Buffer]> {
  const big = randomBytes(1024 * 1024);
  const block = randomBytes(64);
  const backing = randomBytes(300);
  // A view that starts 37 bytes into its buffer and stops before the end.
  const view = new Uint8Array(backing.buffer, backing.byteOffset + 37, 200);
  const copy = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  return [
    ["0 bytes", new ArrayBuffer(0), Buffer.alloc(0)],
    ["1 byte", copy(Buffer.from([0x61])), Buffer.from([0x61])],
    ["64 bytes", copy(block), block],
    ["1 MiB random", copy(big), big],
    ["a Uint8Array view with byteOffset 37", view, Buffer.from(backing.subarray(37, 237))],
    ["a DataView", new DataView(copy(block)), block],
  ];
}
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("sha256Hex without SubtleCrypto (insecure context)", () => {
  // The player loads client/sha256.ts beside the bundle (extras.ts); here it is imported directly.
  beforeEach(() => {
    useJsSha256(() => import("../../../client/sha256").then((m) => m.sha256));
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  for (const missing of [undefined, {}, { subtle: undefined }]) {
    it(`equals node:crypto for every size when crypto is ${JSON.stringify(missing) ?? "undefined"}`, async () => {
      vi.stubGlobal("crypto", missing);
      for (const [name, input, plain] of cases()) {
        expect(await sha256Hex(input), name).toBe(sha(plain));
      }
      expect(hashBackend()).toBe("js");
    });
  }

  it("falls back when subtle.digest rejects", async () => {
    const digest = vi.fn(() => Promise.reject(new DOMException("detached", "OperationError")));
    vi.stubGlobal("crypto", { subtle: { digest } });
    for (const [name, input, plain] of cases()) {
      expect(await sha256Hex(input), name).toBe(sha(plain));
    }
    expect(digest).toHaveBeenCalled();
    expect(hashBackend()).toBe("js");
  });

  it("falls back when subtle.digest throws synchronously or resolves to garbage", async () => {
    const input = randomBytes(1000);
    vi.stubGlobal("crypto", {
      subtle: {
        digest: () => {
          throw new TypeError("nope");
        },
      },
    });
    expect(await sha256Hex(input)).toBe(sha(input));
    vi.stubGlobal("crypto", { subtle: { digest: () => Promise.resolve(new ArrayBuffer(0)) } });
    expect(await sha256Hex(input)).toBe(sha(input));
  });

  it("falls back when reading crypto.subtle itself throws", async () => {
    vi.stubGlobal("crypto", {
      get subtle(): never {
        throw new Error("SecurityError");
      },
    });
    expect(await sha256Hex(bytes("hello"))).toBe(hex("hello"));
  });

  it("hashes a detached buffer as zero bytes, as WebCrypto does, instead of throwing", async () => {
    const detached = new ArrayBuffer(16);
    structuredClone(detached, { transfer: [detached] });
    const viewOfDetached = new Uint8Array(new ArrayBuffer(16), 4, 8);
    structuredClone(viewOfDetached.buffer, { transfer: [viewOfDetached.buffer] });
    const empty = sha(Buffer.alloc(0));
    expect(await sha256Hex(detached)).toBe(empty); // Node's WebCrypto
    vi.stubGlobal("crypto", undefined);
    expect(await sha256Hex(detached)).toBe(empty);
    expect(await sha256Hex(viewOfDetached)).toBe(empty);
  });

  it("HashBook.verify says ok and mismatch with the JS digest", async () => {
    vi.stubGlobal("crypto", undefined);
    const book = new HashBook();
    const segment = randomBytes(190 * 1024);
    book.learn([{ url: "https://w/s/1.ts", tagList: [[HASH_TAG, sha(segment)]] }]);
    const good = segment.buffer.slice(segment.byteOffset, segment.byteOffset + segment.byteLength) as ArrayBuffer;
    const bad = good.slice(0);
    const flip = new Uint8Array(bad);
    flip[1000] = flip[1000]! ^ 1;
    expect(await book.verify("https://w/s/1.ts", undefined, good)).toBe("ok");
    expect(await book.verify("https://w/s/1.ts", undefined, bad)).toBe("mismatch");
    expect(hashBackend()).toBe("js");
  });

  it("uses WebCrypto again once the page has it", async () => {
    expect(await sha256Hex(bytes("hello"))).toBe(hex("hello"));
    expect(hashBackend()).toBe("subtle");
  });
});

describe("sha256Hex when the JS SHA-256 cannot be loaded", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("rejects instead of inventing a digest, and HashBook.verify calls that unavailable, not a mismatch", async () => {
    vi.stubGlobal("crypto", undefined);
    useJsSha256(() => Promise.reject(new Error("blocked by CSP")));
    await expect(sha256Hex(new Uint8Array([1, 2, 3]))).rejects.toThrow(/blocked by CSP/);
    const book = new HashBook();
    book.learn([{ url: "https://w/a.ts", tagList: [[HASH_TAG, "a".repeat(64)]] }]);
    expect(await book.verify("https://w/a.ts", undefined, new ArrayBuffer(3))).toBe("unavailable");
  });

  it("tries the load again on the next check after a failure", async () => {
    vi.stubGlobal("crypto", undefined);
    let attempts = 0;
    useJsSha256(() => (++attempts === 1 ? Promise.reject(new Error("offline")) : import("../../../client/sha256").then((m) => m.sha256)));
    await expect(sha256Hex(new Uint8Array([1]))).rejects.toThrow(/offline/);
    expect(await sha256Hex(new Uint8Array([1]))).toBe(
      createHash("sha256")
        .update(Buffer.from([1]))
        .digest("hex"),
    );
    expect(attempts).toBe(2);
  });

  it("starts loading at once when the page has no crypto.subtle, and not at all when it has", async () => {
    let loads = 0;
    const loader = () => {
      loads++;
      return import("../../../client/sha256").then((m) => m.sha256);
    };
    expect(useJsSha256(loader)).toBeUndefined(); // Node has WebCrypto
    expect(loads).toBe(0);
    vi.stubGlobal("crypto", undefined);
    await useJsSha256(loader);
    expect(loads).toBe(1);
  });
});
