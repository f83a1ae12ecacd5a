// Reading back what a socket carried across hibernation, and stored counters:
// anything malformed is dropped, never trusted.
import { describe, expect, it } from "vitest";
import { readAttachment, readCounters } from "../../../worker/tracker/attachment";
import { emptyCounters } from "../../../worker/tracker/state";

const H = "h".repeat(20);
const P = "p".repeat(20);

describe("readAttachment", () => {
  it("reads a well-formed attachment back as written", () => {
    expect(readAttachment({ v: 1, id: 7, m: [[H, P, true, 123]] })).toEqual({ v: 1, id: 7, m: [[H, P, true, 123]] });
  });
  it("rejects a missing, unversioned or wrongly typed attachment", () => {
    for (const raw of [null, undefined, 5, "x", { v: 2, id: 1, m: [] }, { v: 1, id: "1", m: [] }, { v: 1, id: 1.5, m: [] }, { v: 1, id: 1 }]) {
      expect(readAttachment(raw)).toBeNull();
    }
  });
  it("drops malformed membership records and keeps the good ones", () => {
    const att = readAttachment({
      v: 1,
      id: 1,
      m: [[H, P, false, 1], ["short", P, false, 1], [H, P, "yes", 1], [H, P, false, Infinity], "junk", [H, P, false]],
    });
    expect(att?.m).toEqual([[H, P, false, 1]]);
  });
  it("reads back when an idle socket became idle, and drops a malformed value", () => {
    expect(readAttachment({ v: 1, id: 2, m: [], i: 1234 })).toEqual({ v: 1, id: 2, m: [], i: 1234 });
    for (const i of ["1", NaN, Infinity, null]) expect(readAttachment({ v: 1, id: 2, m: [], i })).toEqual({ v: 1, id: 2, m: [] });
  });
  it("keeps the closed mark and no memberships for a socket the tracker closed", () => {
    expect(readAttachment({ v: 1, id: 3, m: [[H, P, false, 1]], closed: true })).toEqual({ v: 1, id: 3, m: [], closed: true });
  });
});

describe("readCounters", () => {
  it("keeps valid counters and zeroes anything else", () => {
    const c = readCounters({ announce: 5, scrape: -1, failure: "3", unknown: 9 });
    expect(c).toEqual({ ...emptyCounters(), announce: 5 });
    expect(readCounters(null)).toEqual(emptyCounters());
  });
});
