// Viewer tokens: what is accepted and what each bad token gets (401 for missing, malformed,
// tampered, expired or not-yet-valid; 403 for another stream or page origin), and that a
// token minted the way the README shows for a site's backend (node:crypto) verifies.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_TOKEN_CHARS, TOKEN_LEEWAY_S, checkViewerToken, mintSignedToken, mintViewerToken, verifySignedToken } from "../../../shared/viewer-token";

const SECRET = "unit-test-secret";
const NOW = 1_800_000_000_000;
const exp = NOW / 1000 + 600;
const want = { stream: "loop", origin: "https://site.example" };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

/** A JWT signed by hand, as a site's backend would with node:crypto (or any JWT library). */
function handMade(head: unknown, claims: unknown, secret = SECRET): string {
  const data = `${b64(head)}.${b64(claims)}`;
  return `${data}.${createHmac("sha256", secret).update(data).digest("base64url")}`;
}

describe("viewer tokens", () => {
  it("accepts a good token, a '*' token for any stream, and one minted with node:crypto", async () => {
    expect(await checkViewerToken(SECRET, await mintViewerToken(SECRET, { stream: "loop", exp }), want, NOW)).toEqual({
      ok: true,
      claims: { stream: "loop", exp },
    });
    expect((await checkViewerToken(SECRET, await mintViewerToken(SECRET, { stream: "*", exp }), want, NOW)).ok).toBe(true);
    const hand = handMade({ alg: "HS256", typ: "JWT" }, { stream: "loop", exp, origin: "https://site.example", iat: NOW / 1000 });
    expect(await checkViewerToken(SECRET, hand, want, NOW)).toEqual({ ok: true, claims: { stream: "loop", exp, origin: "https://site.example" } });
  });

  it("refuses a missing, malformed or oversized token with 401", async () => {
    const good = await mintViewerToken(SECRET, { stream: "loop", exp });
    for (const bad of [
      null,
      "",
      "abc",
      "a.b",
      good + ".x",
      good.replace(/\.[^.]*$/, ".!!!"),
      good.split(".").slice(0, 2).join(".") + ".",
      "x".repeat(MAX_TOKEN_CHARS + 1),
    ]) {
      const r = await checkViewerToken(SECRET, bad, want, NOW);
      expect(r.ok, String(bad).slice(0, 40)).toBe(false);
      if (!r.ok) expect(r.status).toBe(401);
    }
  });

  it("refuses a tampered body, a wrong secret and another algorithm with 401", async () => {
    const good = await mintViewerToken(SECRET, { stream: "loop", exp });
    const [h, , s] = good.split(".");
    const tampered = `${h}.${b64({ stream: "*", exp })}.${s}`;
    expect(await checkViewerToken(SECRET, tampered, want, NOW)).toEqual({ ok: false, status: 401, error: "viewer token signature does not match" });
    expect((await checkViewerToken("another-secret", good, want, NOW)).ok).toBe(false);
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64({ stream: "loop", exp })}.`;
    expect(await checkViewerToken(SECRET, none, want, NOW)).toMatchObject({ ok: false, status: 401 });
    const hs512 = handMade({ alg: "HS512", typ: "JWT" }, { stream: "loop", exp });
    expect(await checkViewerToken(SECRET, hs512, want, NOW)).toEqual({ ok: false, status: 401, error: "viewer token must be an HS256 JWT" });
  });

  it("refuses an expired token (past the leeway), a not-yet-valid one and one without exp or stream", async () => {
    const at = (e: number) => mintViewerToken(SECRET, { stream: "loop", exp: e });
    expect((await checkViewerToken(SECRET, await at(NOW / 1000 - TOKEN_LEEWAY_S + 5), want, NOW)).ok).toBe(true);
    expect(await checkViewerToken(SECRET, await at(NOW / 1000 - TOKEN_LEEWAY_S - 1), want, NOW)).toEqual({
      ok: false,
      status: 401,
      error: "viewer token expired",
    });
    const early = await mintViewerToken(SECRET, { stream: "loop", exp, nbf: NOW / 1000 + 3600 });
    expect(await checkViewerToken(SECRET, early, want, NOW)).toEqual({ ok: false, status: 401, error: "viewer token not valid yet" });
    expect(await checkViewerToken(SECRET, handMade({ alg: "HS256" }, { stream: "loop" }), want, NOW)).toEqual({
      ok: false,
      status: 401,
      error: "viewer token has no exp",
    });
    expect(await checkViewerToken(SECRET, handMade({ alg: "HS256" }, { exp }), want, NOW)).toEqual({
      ok: false,
      status: 401,
      error: "viewer token has no stream",
    });
  });

  it("refuses a good token on another stream or from another page origin with 403", async () => {
    const other = await mintViewerToken(SECRET, { stream: "other", exp });
    expect(await checkViewerToken(SECRET, other, want, NOW)).toEqual({ ok: false, status: 403, error: "viewer token is for another stream" });
    // The stream check can be left to the caller (a report names its stream in its body).
    expect((await checkViewerToken(SECRET, other, want, NOW, true)).ok).toBe(true);
    const pinned = await mintViewerToken(SECRET, { stream: "loop", exp, origin: "https://site.example" });
    expect((await checkViewerToken(SECRET, pinned, want, NOW)).ok).toBe(true);
    expect(await checkViewerToken(SECRET, pinned, { ...want, origin: "https://evil.example" }, NOW)).toEqual({
      ok: false,
      status: 403,
      error: "viewer token is for another page origin",
    });
    expect((await checkViewerToken(SECRET, pinned, { ...want, origin: null }, NOW)).ok).toBe(false);
  });
});

describe("verifySignedToken (shared by viewer and ingest tokens)", () => {
  it("returns any claims of a good token and names the token in its errors", async () => {
    const now = 1_800_000_000_000;
    const t = await mintSignedToken("k", { ingest: "cam", exp: now / 1000 + 60 });
    expect(await verifySignedToken("k", t, now, "ingest token")).toEqual({ ok: true, claims: { ingest: "cam", exp: now / 1000 + 60 } });
    expect(await verifySignedToken("other", t, now, "ingest token")).toEqual({ ok: false, status: 401, error: "ingest token signature does not match" });
    expect(await verifySignedToken("k", t, now + 200_000, "ingest token")).toEqual({ ok: false, status: 401, error: "ingest token expired" });
    expect(await verifySignedToken("k", null, now, "ingest token")).toEqual({ ok: false, status: 401, error: "ingest token required" });
  });
});
