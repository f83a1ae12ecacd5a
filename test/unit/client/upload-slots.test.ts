// The upload-slot policy: how many peer uploads a viewer serves at once, from its own
// uploads' speeds and how many ran side by side. Driven here by a plain uplink model (each of
// k uploads gets min(connection limit, uplink / k)), the same signals the store and the
// simulator give it.
import { describe, expect, it } from "vitest";
import { MAX_PARALLEL_UPLOADS, UPLOAD_SLOTS_HOLD_S, UPLOAD_SLOTS_SAMPLES } from "../../../client/limits";
import { uploadSlots, type UploadSlots } from "../../../client/upload-slots";

const SEG_S = 4;
const STREAM_MBIT = 3;

/**
 * `rounds` rounds in which the viewer's askers keep every slot busy: k uploads of one 4 s,
 * 3 Mbit/s segment start together at `t` and finish together, each at min(conn, uplink / k).
 * Returns the time after the last round.
 */
function serve(p: UploadSlots, uplinkMbit: number, rounds: number, t = 0, connMbit = 10): number {
  for (let i = 0; i < rounds; i++) {
    const k = p.slots;
    const secs = (SEG_S * STREAM_MBIT) / Math.min(connMbit, uplinkMbit / k);
    for (let j = 0; j < k; j++) p.done(SEG_S, t, k, t + secs);
    t += secs;
  }
  return t;
}

describe("uploadSlots", () => {
  it("starts at one upload at a time", () => {
    expect(uploadSlots().slots).toBe(1);
  });

  it("grows on a fast uplink to about as many uploads as it carries at one connection's speed, and no further", () => {
    const fast = uploadSlots();
    serve(fast, 100, 200);
    expect(fast.slots).toBe(MAX_PARALLEL_UPLOADS); // 100 Mbit/s carries 10 connections of 10 Mbit/s
    const twenty = uploadSlots();
    const seen = new Set<number>();
    let t = 0;
    for (let i = 0; i < 200; i++) {
      t = serve(twenty, 20, 1, t);
      seen.add(twenty.slots);
    }
    // Two fill it at 10 Mbit/s each; a third would slow all three to 6.7, so it goes back to two.
    expect(twenty.slots).toBeGreaterThanOrEqual(2);
    expect(twenty.slots).toBeLessThanOrEqual(3);
    expect(Math.max(...seen)).toBe(3);
  });

  it("stays at one on a slow uplink, where two at once would each go slower than real time", () => {
    for (const mbit of [1, 5]) {
      const p = uploadSlots();
      serve(p, mbit, 100);
      expect(p.slots).toBe(1);
    }
  });

  it("shrinks when throughput falls: an uplink that drops from 100 to 10 Mbit/s goes back to one upload", () => {
    const p = uploadSlots();
    const t = serve(p, 100, 200);
    expect(p.slots).toBe(MAX_PARALLEL_UPLOADS);
    serve(p, 10, UPLOAD_SLOTS_SAMPLES, t + 1);
    expect(p.slots).toBe(1);
  });

  it("after the uplink proved full, tries more only after the hold", () => {
    const p = uploadSlots();
    let t = 0;
    while (p.slots < 3) t = serve(p, 20, 1, t);
    while (p.slots === 3) t = serve(p, 20, 1, t);
    const shrunkAt = t;
    expect(p.slots).toBe(2);
    while (t < shrunkAt + UPLOAD_SLOTS_HOLD_S - 5) {
      t = serve(p, 20, 1, t);
      expect(p.slots).toBe(2);
    }
    t = shrunkAt + UPLOAD_SLOTS_HOLD_S;
    let tried = false;
    for (let i = 0; i < 10 && !tried; i++) {
      t = serve(p, 20, 1, t);
      tried = p.slots === 3;
    }
    expect(tried).toBe(true);
  });

  it("does not grow while the slots it has are not filled: the measured total is one upload's", () => {
    const p = uploadSlots();
    let t = 0;
    while (p.slots < 2) t = serve(p, 100, 1, t);
    // Askers come one at a time: each upload runs alone at 10 Mbit/s.
    for (let i = 0; i < 50; i++) {
      p.done(SEG_S, t, 1, t + 1.2);
      t += 1.2;
    }
    expect(p.slots).toBe(2);
  });

  it("ignores uploads granted before its last change, and nonsense observations", () => {
    const p = uploadSlots();
    serve(p, 100, UPLOAD_SLOTS_SAMPLES); // one round per sample: 1 → 2 after the first samples
    const k = p.slots;
    expect(k).toBe(2);
    // Slow uploads granted before the change (t = 0) do not count against the new number.
    for (let i = 0; i < 10; i++) p.done(SEG_S, 0, 2, 100);
    for (const [m, s, c] of [
      [0, 0, 1],
      [SEG_S, 10, Number.NaN],
      [Number.NaN, 0, 1],
      [SEG_S, 20, 1],
    ] as const)
      p.done(m, s, c, 10);
    expect(p.slots).toBe(k);
  });
});
