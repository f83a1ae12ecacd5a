import { describe, expect, it } from "vitest";
import { LeaseBook } from "../../../worker/lease/lease-book";
import { LEASE_TTL_MS, MAX_LEASES } from "../../../worker/lease/limits";

describe("LeaseBook", () => {
  it("grants the first claim on a segment and refuses the next ones, saying how long it has been held", () => {
    const book = new LeaseBook();
    expect(book.claim("/live/a/hi/1.ts", 1000)).toEqual({ granted: true });
    expect(book.claim("/live/a/hi/1.ts", 1500)).toEqual({ granted: false, heldForMs: 500 });
    expect(book.claim("/live/a/hi/1.ts", 2000)).toEqual({ granted: false, heldForMs: 1000 });
  });

  it("keeps segments independent", () => {
    const book = new LeaseBook();
    expect(book.claim("/live/a/hi/1.ts", 0).granted).toBe(true);
    expect(book.claim("/live/a/hi/2.ts", 0).granted).toBe(true);
    expect(book.claim("/live/a/lo/1.ts", 0).granted).toBe(true);
  });

  it(`grants again once LEASE_TTL_MS (${LEASE_TTL_MS} ms) has passed, so a vanished holder costs at most one TTL`, () => {
    const book = new LeaseBook();
    book.claim("k", 0);
    expect(book.claim("k", LEASE_TTL_MS - 1).granted).toBe(false);
    expect(book.claim("k", LEASE_TTL_MS).granted).toBe(true);
  });

  it("forgets expired leases, so memory follows the live window rather than the stream's age", () => {
    const book = new LeaseBook(100, 1000);
    for (let i = 0; i < 50; i++) book.claim(`seg-${i}`, i * 10);
    expect(book.size).toBeLessThanOrEqual(11);
  });

  it(`holds at most MAX_LEASES (${MAX_LEASES}) entries, dropping the oldest when a client invents keys`, () => {
    const book = new LeaseBook(LEASE_TTL_MS, MAX_LEASES);
    for (let i = 0; i <= MAX_LEASES; i++) book.claim(`k${i}`, 0);
    expect(book.size).toBe(MAX_LEASES);
    expect(book.claim("k0", 1).granted).toBe(true); // the oldest was forgotten
    expect(book.claim(`k${MAX_LEASES}`, 1).granted).toBe(false); // the newest is still held
  });
});
