// Running `ip` and `tc` for the lab, and the one-line answer to "can this machine build a
// lab at all?". Async calls for set-up, sync ones for exit handlers (which cannot await).
// It does not decide what to create (lab.ts) or what to remove (cleanup.ts).
import { execFile, execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { COMMAND_TIMEOUT_MS } from "./limits.ts";
import { probeName } from "./names.ts";

// `ip` and `tc` live in sbin, which a non-login or sudo'd shell may leave off PATH.
const EXTRA_DIRS = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

function findTool(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...EXTRA_DIRS]) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export type Tool = "ip" | "tc";
const paths = new Map<Tool, string | undefined>();
/** Absolute path of a tool (wrapper scripts use it: playwright may spawn with a thin PATH). */
export function toolPath(tool: Tool): string {
  if (!paths.has(tool)) paths.set(tool, findTool(tool));
  const p = paths.get(tool);
  if (!p) throw new Error(`no \`${tool}\` command (iproute2) on PATH or in ${EXTRA_DIRS.join(", ")}`);
  return p;
}

/** Runs a tool; resolves with stdout, rejects with the command line and its stderr. */
export function run(tool: Tool, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(toolPath(tool), args, { timeout: COMMAND_TIMEOUT_MS, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${tool} ${args.join(" ")}: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
}

/** Same, synchronously; never throws (exit handlers and probes read `ok` and `err`). */
export function runSync(tool: Tool, args: string[]): { ok: boolean; out: string; err: string } {
  try {
    const out = execFileSync(toolPath(tool), args, { timeout: COMMAND_TIMEOUT_MS, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { ok: true, out, err: "" };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { ok: false, out: "", err: (err.stderr || err.message).trim() };
  }
}

/** Errors that only say the thing to delete is already gone: deleting it again is success. */
export function isGone(message: string): boolean {
  return /Cannot find device|No such file or directory|does not exist/i.test(message);
}

let support: { ok: true } | { ok: false; reason: string } | undefined;

/**
 * Whether this machine can build a lab, with a one-line reason when not: not Linux, not
 * root, no `ip`/`tc`, `ip netns add` fails (e.g. in a container without CAP_SYS_ADMIN), or
 * no tbf qdisc in the kernel. It proves the last two by making a throwaway namespace and
 * putting tbf on its loopback. The answer is kept for the life of the process.
 */
export function netlabSupport(): { ok: true } | { ok: false; reason: string } {
  support ??= probe();
  return support;
}

function probe(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== "linux") return { ok: false, reason: `not Linux (${process.platform}): network namespaces are a Linux feature` };
  const uid = process.getuid?.();
  if (uid !== 0) return { ok: false, reason: `not root (uid ${uid}): namespaces, veths and qdiscs need CAP_SYS_ADMIN and CAP_NET_ADMIN` };
  for (const tool of ["ip", "tc"] as const) {
    try {
      toolPath(tool);
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    }
  }
  const ns = probeName(process.pid);
  runSync("ip", ["netns", "del", ns]); // a probe this pid left before (e.g. after a crash)
  const add = runSync("ip", ["netns", "add", ns]);
  if (!add.ok) return { ok: false, reason: `ip netns add fails: ${firstLine(add.err)}` };
  try {
    const lo = runSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
    if (!lo.ok) return { ok: false, reason: `ip link set lo up inside a namespace fails: ${firstLine(lo.err)}` };
    const tbf = runSync("tc", ["-n", ns, "qdisc", "add", "dev", "lo", "root", "tbf", "rate", "1000kbit", "burst", "32kb", "latency", "400ms"]);
    if (!tbf.ok) return { ok: false, reason: `no tbf qdisc: ${firstLine(tbf.err)}` };
    return { ok: true };
  } finally {
    runSync("ip", ["netns", "del", ns]);
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}
