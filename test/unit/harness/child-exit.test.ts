// exitOrKill: a child that exits in time is left to exit; one that does not is killed.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { exitOrKill } from "../../../harness/child-exit";

describe("exitOrKill", () => {
  it("waits for a child that exits by itself", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => process.exit(3), 100)"]);
    await exitOrKill(child, 10_000);
    expect(child.exitCode).toBe(3);
  });

  it("kills a child that is still there after the grace period", async () => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    await exitOrKill(child, 300);
    await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r())));
    expect(child.signalCode).toBe("SIGKILL");
  });

  it("returns at once for a child that has already exited", async () => {
    const child = spawn(process.execPath, ["-e", ""]);
    await new Promise<void>((r) => child.once("exit", () => r()));
    await exitOrKill(child, 10_000);
    expect(child.exitCode).toBe(0);
  });
});
