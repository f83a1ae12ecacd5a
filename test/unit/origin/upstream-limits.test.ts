// The upstream limits in worker/origin/limits.ts hold the relations their comments claim.
// Each is also enforced through the Worker in test/worker/origin/upstream.test.ts (the cap
// and its 503, prefetch slots, failure memo, MAX_SEGMENT_BYTES cut-off, prefetch + 1).
import { describe, expect, it } from "vitest";
import * as L from "../../../worker/origin/limits";

/** Workers: simultaneous open connections (fetch, Cache API, …) per request. */
const WORKERS_OPEN_CONNECTIONS = 6;

describe("upstream limits", () => {
  it("UPSTREAM_PREFETCH_PER_PLAYLIST: one playlist request costs at most it + 1 origin fetches, half of M4's 13", () => {
    expect(L.UPSTREAM_PREFETCH_PER_PLAYLIST + 1).toBeLessThanOrEqual(7);
    expect(L.UPSTREAM_PREFETCH_PER_PLAYLIST).toBeGreaterThanOrEqual(L.UPSTREAM_PREFETCH_CONCURRENCY);
  });

  it("UPSTREAM_PREFETCH_CONCURRENCY: 2 connections each, plus the playlist's own cache write, fit the per-request cap", () => {
    expect(2 * L.UPSTREAM_PREFETCH_CONCURRENCY + 1).toBeLessThanOrEqual(WORKERS_OPEN_CONNECTIONS);
  });

  it("UPSTREAM_PREFETCH_SLOTS leaves viewers' misses part of UPSTREAM_MAX_CONCURRENT", () => {
    expect(L.UPSTREAM_PREFETCH_SLOTS).toBeGreaterThan(0);
    expect(L.UPSTREAM_PREFETCH_SLOTS).toBeLessThan(L.UPSTREAM_MAX_CONCURRENT);
  });

  it("UPSTREAM_SLOT_WAIT_MS is polled at UPSTREAM_SLOT_POLL_MS and stays short; Retry-After is whole seconds", () => {
    expect(L.UPSTREAM_SLOT_POLL_MS).toBeLessThan(L.UPSTREAM_SLOT_WAIT_MS);
    expect(L.UPSTREAM_SLOT_WAIT_MS).toBeLessThanOrEqual(2_000);
    expect(Number.isInteger(L.UPSTREAM_RETRY_AFTER_S) && L.UPSTREAM_RETRY_AFTER_S >= 1).toBe(true);
  });

  it("UPSTREAM_SLOT_MAX_MS outlives the upstream timeout, so only an abandoned slot is forgotten", () => {
    expect(L.UPSTREAM_SLOT_MAX_MS).toBeGreaterThan(L.UPSTREAM_TIMEOUT_MS);
  });

  it("UPSTREAM_FAILURE_TTL is a few seconds; the memo of failures is bounded", () => {
    expect(L.UPSTREAM_FAILURE_TTL).toBeGreaterThanOrEqual(1);
    expect(L.UPSTREAM_FAILURE_TTL).toBeLessThanOrEqual(5);
    expect(L.UPSTREAM_FAILURE_MEMO_ENTRIES).toBeGreaterThan(0);
  });
});
