import { describe, expect, it } from "vitest";
import { LeaseBook } from "../../../worker/lease/lease-book";
import { LEASE_TTL_MS, MAX_LEASES, MAX_LEASES_PER_VIEWER } from "../../../worker/lease/limits";

describe("LeaseBook", () => {
  it("grants the first claim on a segment and refuses the next ones, saying how long it has been held", () => {
    const book = new LeaseBook();
    expect(book.claim("/live/a/hi/1.ts", 1000, "v")).toEqual({ granted: true });
    expect(book.claim("/live/a/hi/1.ts", 1500, "v")).toEqual({ granted: false, heldForMs: 500 });
    expect(book.claim("/live/a/hi/1.ts", 2000, "v")).toEqual({ granted: false, heldForMs: 1000 });
  });

  it("keeps segments independent", () => {
    const book = new LeaseBook();
    expect(book.claim("/live/a/hi/1.ts", 0, "v").granted).toBe(true);
    expect(book.claim("/live/a/hi/2.ts", 0, "v").granted).toBe(true);
    expect(book.claim("/live/a/lo/1.ts", 0, "v").granted).toBe(true);
  });

  it(`grants again once LEASE_TTL_MS (${LEASE_TTL_MS} ms) has passed, so a vanished holder costs at most one TTL`, () => {
    const book = new LeaseBook();
    book.claim("k", 0, "v");
    expect(book.claim("k", LEASE_TTL_MS - 1, "v").granted).toBe(false);
    expect(book.claim("k", LEASE_TTL_MS, "v").granted).toBe(true);
  });

  it("forgets expired leases, so memory follows the live window rather than the stream's age", () => {
    const book = new LeaseBook(100, 1000);
    for (let i = 0; i < 50; i++) book.claim(`seg-${i}`, i * 10, "v");
    expect(book.size).toBeLessThanOrEqual(11);
  });

  it(`holds at most MAX_LEASES (${MAX_LEASES}) entries, dropping the oldest when the book is full`, () => {
    const book = new LeaseBook(LEASE_TTL_MS, MAX_LEASES);
    for (let i = 0; i <= MAX_LEASES; i++) book.claim(`k${i}`, 0, `v${i}`);
    expect(book.size).toBe(MAX_LEASES);
    expect(book.claim("k0", 1, "v").granted).toBe(true); // the oldest was forgotten
    expect(book.claim(`k${MAX_LEASES}`, 1, "v").granted).toBe(false); // the newest is still held
  });

  it("check answers as claim would but records nothing, so asking about a key never holds it", () => {
    const book = new LeaseBook();
    expect(book.check("k", 0, "a")).toEqual({ granted: true });
    expect(book.size).toBe(0);
    expect(book.claim("k", 1, "b")).toEqual({ granted: true });
    expect(book.check("k", 2, "a")).toEqual({ granted: false, heldForMs: 1 });
  });

  it(`lets one viewer hold at most MAX_LEASES_PER_VIEWER (${MAX_LEASES_PER_VIEWER}) leases; others still win free segments`, () => {
    const book = new LeaseBook();
    for (let i = 0; i < MAX_LEASES_PER_VIEWER; i++) expect(book.claim(`k${i}`, 0, "greedy").granted).toBe(true);
    expect(book.claim("one-more", 0, "greedy")).toEqual({ granted: false, viewerFull: true });
    expect(book.check("one-more", 0, "greedy")).toEqual({ granted: false, viewerFull: true });
    expect(book.claim("one-more", 0, "honest")).toEqual({ granted: true });
    expect(book.heldBy("greedy")).toBe(MAX_LEASES_PER_VIEWER);
    expect(book.heldBy("honest")).toBe(1);
  });

  it("gives a viewer its allowance back as its leases expire or are pushed out of a full book", () => {
    const book = new LeaseBook(100, 3, 2);
    book.claim("a", 0, "v");
    book.claim("b", 50, "v");
    expect(book.claim("c", 60, "v")).toEqual({ granted: false, viewerFull: true });
    expect(book.claim("c", 100, "v")).toEqual({ granted: true }); // "a" expired
    expect(book.heldBy("v")).toBe(2);
    book.claim("d", 120, "w");
    book.claim("e", 121, "w"); // the book (3) is full: "b", the oldest, is dropped
    expect(book.heldBy("v")).toBe(1);
    expect(book.claim("f", 122, "v")).toEqual({ granted: true });
  });
});
