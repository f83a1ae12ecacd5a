// Where the client's optional modules are loaded from (client/extras.ts).
import { describe, expect, it } from "vitest";
import { extraUrl } from "../../../client/extras";

describe("extraUrl", () => {
  it("puts an extra beside the script it belongs to, whatever the script is called", () => {
    expect(extraUrl("sha256", "https://w.example/edgeswarm.js")).toBe("https://w.example/edgeswarm-sha256.mjs");
    expect(extraUrl("overlay", "https://cdn.example/v1/edgeswarm.mjs?x=1")).toBe("https://cdn.example/v1/edgeswarm-overlay.mjs");
    expect(extraUrl("reporter", "http://10.0.0.1:8787/edgeswarm.js")).toBe("http://10.0.0.1:8787/edgeswarm-reporter.mjs");
  });
});
