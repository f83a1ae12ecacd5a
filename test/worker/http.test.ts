// The security headers of worker/http.ts through the Worker's own fetch handler (issue 14
// L5): the built pages (/, /dashboard) carry a Content-Security-Policy with script-src
// 'self' and frame-ancestors ('self' plus ALLOWED_ORIGINS), and every response, pages,
// assets, playlists, segments, JSON errors and preflights alike, carries nosniff and
// Referrer-Policy: strict-origin-when-cross-origin.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import type { Env } from "../../worker/env";

const bindings: Env = env;
const BASE = "https://edgeswarm.test";

function call(path: string, init: RequestInit = {}, e: Env = bindings): Promise<Response> {
  return worker.fetch(new Request(`${BASE}${path}`, init), e, createExecutionContext());
}

/** The CSP as directive name → sources. */
function csp(r: Response): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of (r.headers.get("content-security-policy") ?? "").split(";")) {
    const [name, ...sources] = d.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

function expectCommon(r: Response, what: string): void {
  expect(r.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(r.headers.get("referrer-policy"), what).toBe("strict-origin-when-cross-origin");
}

describe("page security headers", () => {
  for (const page of ["/", "/dashboard"]) {
    it(`serves ${page} with a CSP allowing only its own scripts, framed only by itself, plus nosniff and Referrer-Policy`, async () => {
      const r = await call(page);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/^text\/html/);
      const body = await r.text();
      expect(body).toMatch(/<script type="module" src="\/(demo|dashboard)\.js">/);
      expectCommon(r, page);
      const p = csp(r);
      expect(p.get("script-src")).toEqual(["'self'"]);
      expect(p.get("default-src")).toEqual(["'self'"]);
      expect(p.get("style-src")).toEqual(["'self'"]);
      expect(p.get("frame-ancestors")).toEqual(["'self'"]);
      expect(p.get("object-src")).toEqual(["'none'"]);
      expect(p.get("base-uri")).toEqual(["'none'"]);
      expect(p.get("connect-src")).toEqual(["'self'", "wss://edgeswarm.test"]);
      expect(p.get("media-src")).toEqual(["'self'", "blob:"]);
      // Nothing inline is allowed on any page: no script, no style attribute.
      expect(r.headers.get("content-security-policy")).not.toContain("unsafe");
      expect(p.has("style-src-attr")).toBe(false);
    });
  }

  it("lets the sites in ALLOWED_ORIGINS frame the pages and serve streams to them, ignoring malformed entries", async () => {
    const e: Env = { ...bindings, ALLOWED_ORIGINS: "https://site.example, https://b.example:8443, https://x.example; script-src *, *" };
    const r = await call("/", {}, e);
    await r.arrayBuffer();
    const p = csp(r);
    expect(p.get("frame-ancestors")).toEqual(["'self'", "https://site.example", "https://b.example:8443"]);
    expect(p.get("connect-src")).toEqual(["'self'", "wss://edgeswarm.test", "https://site.example", "https://b.example:8443"]);
    expect(p.get("script-src")).toEqual(["'self'"]);
  });

  it("treats an empty ALLOWED_ORIGINS as 'self' only", async () => {
    const r = await call("/dashboard", {}, { ...bindings, ALLOWED_ORIGINS: "" });
    await r.arrayBuffer();
    expect(csp(r).get("frame-ancestors")).toEqual(["'self'"]);
  });

  it("sends nosniff and Referrer-Policy on every other response, without a page CSP", async () => {
    const cases: [string, RequestInit][] = [
      ["/demo.js", {}],
      ["/styles.css", {}],
      ["/streams/sample/master.m3u8", {}],
      ["/live/loop/master.m3u8", {}],
      ["/streams/no-such-stream/index.m3u8", {}],
      ["/api/stats", {}],
      ["/api/report", { method: "POST", body: "{", headers: { "content-type": "application/json" } }],
      ["/ingest/vod/x/a.ts", { method: "PUT", body: "x" }],
      ["/no/such/path", {}],
      ["/streams/sample/master.m3u8", { method: "OPTIONS", headers: { origin: "https://site.example", "access-control-request-method": "GET" } }],
    ];
    for (const [path, init] of cases) {
      const r = await call(path, init);
      await r.arrayBuffer();
      const what = `${init.method ?? "GET"} ${path} (${r.status})`;
      expectCommon(r, what);
      expect(r.headers.get("content-security-policy"), what).toBeNull();
    }
  });
});
