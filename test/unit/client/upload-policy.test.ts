// Upload policy: no uploading on Save-Data or cellular unless the page says so.
import { describe, expect, it } from "vitest";
import { readConnection, shouldUpload } from "../../../client/upload-policy";

describe("shouldUpload", () => {
  it("uploads by default, and when the browser says nothing about the link", () => {
    expect(shouldUpload("auto", undefined)).toBe(true);
    expect(shouldUpload("auto", { type: "wifi" })).toBe(true);
  });
  it("does not upload when the user asked to save data", () => {
    expect(shouldUpload("auto", { saveData: true, type: "wifi" })).toBe(false);
  });
  it("does not upload on cellular", () => {
    expect(shouldUpload("auto", { type: "cellular" })).toBe(false);
  });
  it("follows the page's explicit choice either way", () => {
    expect(shouldUpload("on", { type: "cellular", saveData: true })).toBe(true);
    expect(shouldUpload("off", { type: "ethernet" })).toBe(false);
  });
});

describe("readConnection", () => {
  it("reads navigator.connection defensively", () => {
    expect(readConnection(undefined)).toBeUndefined();
    expect(readConnection({})).toBeUndefined();
    expect(readConnection({ connection: "weird" })).toBeUndefined();
    expect(readConnection({ connection: { saveData: true } })).toEqual({ saveData: true });
  });
});
