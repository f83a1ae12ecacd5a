// Waiting for a child process to go: the one "exit within a grace period, else SIGKILL" that
// the wrangler dev starter and the tracker bench's reference server both need.
import type { ChildProcess } from "node:child_process";

/** Resolves once `child` has exited, killing it with SIGKILL if it has not within `graceMs`. */
export function exitOrKill(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, graceMs);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
  });
}
