// The claim wire format: the URL a client sends and the answer it reads back.
import { describe, expect, it } from "vitest";
import { CLAIM_HEADER, CLAIM_PARAM, claimUrl, readClaimAnswer } from "../../../shared/claim";

describe("claim wire format", () => {
  it("adds the claim parameter and keeps the segment URL's own query", () => {
    expect(claimUrl("https://w/live/x/hi/9.ts?token=abc", "x")).toBe(`https://w/live/x/hi/9.ts?token=abc&${CLAIM_PARAM}=x`);
    expect(claimUrl("https://w/live/x/hi/9.ts", "x")).toBe(`https://w/live/x/hi/9.ts?${CLAIM_PARAM}=x`);
  });

  it("reads granted, denied, and anything else as an origin that does not speak claims", () => {
    expect(readClaimAnswer(new Headers({ [CLAIM_HEADER]: "granted" }))).toBe("granted");
    expect(readClaimAnswer(new Headers({ [CLAIM_HEADER]: "denied" }))).toBe("denied");
    expect(readClaimAnswer(new Headers({ [CLAIM_HEADER]: "maybe" }))).toBe("unmarked");
    expect(readClaimAnswer(new Headers())).toBe("unmarked");
  });
});
