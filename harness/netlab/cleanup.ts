// Undoing what labs created: on close(), on a set-up that failed part-way, at process exit
// and on SIGINT/SIGTERM/SIGHUP (synchronously: exit handlers cannot await), and a sweep of
// leftovers from earlier processes that died without any of those running.
// It does not create anything (lab.ts) and never touches a name without the lab prefix.
import type { ChildProcess } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isGone, run, runSync } from "./commands.ts";
import { FORWARDER_EXIT_MS } from "./limits.ts";
import { dirOwnerPid, LINK_ALIAS, ownerPid } from "./names.ts";

/** What one lab has created so far, recorded before each step so a failure can undo it. */
export interface Footprint {
  /** In creation order, the bridge first; undone in reverse. Deleting a host-side veth end
   * also deletes its peer inside the namespace. */
  links: string[];
  namespaces: string[];
  dirs: string[];
  /** Forwarders; each holds its namespace (and so its link) alive until it exits. */
  children: Set<ChildProcess>;
}

export function emptyFootprint(): Footprint {
  return { links: [], namespaces: [], dirs: [], children: new Set() };
}

const live = new Set<Footprint>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export function track(f: Footprint): void {
  if (live.size === 0) install();
  live.add(f);
}

export function untrack(f: Footprint): void {
  live.delete(f);
  if (live.size === 0) uninstall();
}

/** Removes everything in the footprint; returns the errors that were not "already gone". */
export async function undo(f: Footprint): Promise<string[]> {
  const errors: string[] = [];
  await Promise.all([...f.children].map(stopChild));
  f.children.clear();
  for (const link of [...f.links].reverse()) {
    await run("ip", ["link", "del", link]).catch((e: Error) => void (isGone(e.message) || errors.push(e.message)));
  }
  for (const ns of f.namespaces) {
    await run("ip", ["netns", "del", ns]).catch((e: Error) => void (isGone(e.message) || errors.push(e.message)));
  }
  for (const dir of f.dirs) rmSync(dir, { recursive: true, force: true });
  f.links = [];
  f.namespaces = [];
  f.dirs = [];
  return errors;
}

/** The same, synchronously and quietly, for exit and signal handlers. */
export function undoSync(f: Footprint): void {
  for (const c of f.children) c.kill("SIGKILL");
  f.children.clear();
  for (const link of [...f.links].reverse()) runSync("ip", ["link", "del", link]);
  for (const ns of f.namespaces) runSync("ip", ["netns", "del", ns]);
  for (const dir of f.dirs) rmSync(dir, { recursive: true, force: true });
  f.links = [];
  f.namespaces = [];
  f.dirs = [];
}

function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => c.kill("SIGKILL"), FORWARDER_EXIT_MS);
    c.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    c.kill("SIGTERM");
  });
}

function onExit(): void {
  for (const f of live) undoSync(f);
  live.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  onExit();
  uninstall();
  // A listener replaces the default action (exit). With ours gone and nobody else listening,
  // raise the signal again so the process ends the way it would have without the lab.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

function install(): void {
  process.on("exit", onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  process.off("exit", onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes namespaces, links and wrapper dirs whose creating pid no longer exists. Exit
 * handlers do not run when a process is SIGKILLed, OOM-killed or crashes in native code (a
 * test runner killing a hung worker does exactly that); its bridge would keep its /24 and
 * its namespaces would pile up run after run. Labs of live processes are left alone, since
 * the pid in their names still exists. Forwarders need no sweep: each exits when the pipe
 * to its parent closes. A pid reused by an unrelated process hides its leftovers until that
 * process ends; they are only unused names and a /24 the next lab skips.
 */
export async function sweepDead(): Promise<void> {
  const nsList = await run("ip", ["netns", "list"]);
  for (const line of nsList.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const pid = ownerPid(name);
    if (pid !== undefined && !alive(pid)) await run("ip", ["netns", "del", name]).catch(() => {});
  }
  const links = JSON.parse((await run("ip", ["-j", "link", "show"])) || "[]") as Array<{ ifname?: string; ifalias?: string }>;
  for (const l of links) {
    const pid = ownerPid(l.ifname ?? "");
    if (pid !== undefined && l.ifalias === LINK_ALIAS && !alive(pid)) await run("ip", ["link", "del", l.ifname!]).catch(() => {});
  }
  for (const base of readdirSync(tmpdir())) {
    const pid = dirOwnerPid(base);
    if (pid !== undefined && !alive(pid)) rmSync(join(tmpdir(), base), { recursive: true, force: true });
  }
}
