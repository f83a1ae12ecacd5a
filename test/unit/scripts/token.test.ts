// `npm run token`: argument checks, where the secret comes from, and that the printed token
// is one the Worker's check accepts for that stream and origin, expiring after --ttl.
import { describe, expect, it } from "vitest";
import { makeToken, parseTokenArgs } from "../../../scripts/token";
import { checkViewerToken } from "../../../shared/viewer-token";

describe("npm run token", () => {
  it("mints a token the Worker accepts for its stream and origin until the ttl runs out", async () => {
    const a = parseTokenArgs(["--stream", "loop", "--ttl", "120", "--origin", "https://site.example/page?x=1"], { VIEWER_TOKEN_SECRET: "s3" }, undefined);
    expect(a).toEqual({ stream: "loop", ttl: 120, origin: "https://site.example", secret: "s3" });
    const now = 1_800_000_000_000;
    const t = await makeToken(a, now);
    expect((await checkViewerToken("s3", t, { stream: "loop", origin: "https://site.example" }, now + 60_000)).ok).toBe(true);
    expect(await checkViewerToken("s3", t, { stream: "loop", origin: "https://site.example" }, now + 200_000)).toMatchObject({ ok: false, status: 401 });
  });

  it("reads the secret from .dev.vars when the environment has none", () => {
    expect(parseTokenArgs(["--stream", "*"], {}, "INGEST_TOKEN=x\nVIEWER_TOKEN_SECRET=from-file\n").secret).toBe("from-file");
  });

  it("refuses bad arguments with a message", () => {
    const env = { VIEWER_TOKEN_SECRET: "s" };
    expect(() => parseTokenArgs([], env, undefined)).toThrow(/missing --stream/);
    expect(() => parseTokenArgs(["--stream", "../x"], env, undefined)).toThrow(/not a stream name/);
    expect(() => parseTokenArgs(["--stream", "a", "--ttl", "-5"], env, undefined)).toThrow(/--ttl/);
    expect(() => parseTokenArgs(["--stream", "a", "--origin", "ftp://x"], env, undefined)).toThrow(/http\(s\)/);
    expect(() => parseTokenArgs(["--stream", "a", "--bogus"], env, undefined)).toThrow(/unknown option/);
    expect(() => parseTokenArgs(["--stream", "a"], {}, undefined)).toThrow(/no secret/);
  });
});
