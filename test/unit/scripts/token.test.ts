// `npm run token`: argument checks, where the secret comes from, and that the printed token
// is one the Worker's check accepts for that stream and origin, expiring after --ttl.
import { describe, expect, it } from "vitest";
import { makeToken, parseTokenArgs } from "../../../scripts/token";
import { checkViewerToken } from "../../../shared/viewer-token";
import { ingestAccess } from "../../../worker/origin/auth";
import type { Env } from "../../../worker/env";

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

  it("--ingest mints a per-stream ingest token, signed with INGEST_TOKEN, that opens that stream only until the ttl runs out", async () => {
    const a = parseTokenArgs(["--ingest", "cam-1", "--ttl", "600"], { INGEST_TOKEN: "ingest-secret", VIEWER_TOKEN_SECRET: "other" }, undefined);
    expect(a).toEqual({ stream: "cam-1", ingest: true, ttl: 600, secret: "ingest-secret" });
    const now = 1_800_000_000_000;
    const t = await makeToken(a, now);
    const env = { INGEST_TOKEN: "ingest-secret" } as Env;
    expect(await ingestAccess(env, t, now + 1000)).toEqual({ ok: true, stream: "cam-1" });
    expect(await ingestAccess(env, t, now + 700_000)).toEqual({ ok: false, error: "ingest token expired" });
    // Not a viewer token, and not valid under another INGEST_TOKEN.
    expect(await checkViewerToken("ingest-secret", t, { stream: "cam-1", origin: null }, now)).toMatchObject({ ok: false, status: 401 });
    expect((await ingestAccess({ INGEST_TOKEN: "rotated" } as Env, t, now)).ok).toBe(false);
  });

  it("--ingest reads INGEST_TOKEN from .dev.vars and refuses a bad stream, --stream or --origin with it, or no secret", () => {
    expect(parseTokenArgs(["--ingest", "a"], {}, "INGEST_TOKEN=from-file\nVIEWER_TOKEN_SECRET=v\n").secret).toBe("from-file");
    const env = { INGEST_TOKEN: "s" };
    expect(() => parseTokenArgs(["--ingest", "../x"], env, undefined)).toThrow(/not a stream name/);
    expect(() => parseTokenArgs(["--ingest", "*"], env, undefined)).toThrow(/not a stream name/);
    expect(() => parseTokenArgs(["--ingest", "a", "--stream", "a"], env, undefined)).toThrow(/--ingest takes no/);
    expect(() => parseTokenArgs(["--ingest", "a", "--origin", "https://x.example"], env, undefined)).toThrow(/--ingest takes no/);
    expect(() => parseTokenArgs(["--ingest", "a", "--ttl", "0"], env, undefined)).toThrow(/--ttl/);
    expect(() => parseTokenArgs(["--ingest", "a"], { VIEWER_TOKEN_SECRET: "v" }, undefined)).toThrow(/no secret/);
  });
});
