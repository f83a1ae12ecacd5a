// Builds a lab: one bridge on this machine plus one network namespace per viewer, each on
// its own veth with tbf caps in both directions, so viewers run as hosts of their own with
// real, capped links instead of sharing loopback. Also wrapper scripts that run a program
// (Chromium) inside a namespace, and TCP forwarders that give a namespace a localhost view
// of the bridge's servers. It does not start servers (they listen on lab.bridgeIp), add
// delay or loss (no netem on this kernel), or forward between namespaces (ip_forward stays 0).
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { netlabSupport, run, toolPath } from "./commands.ts";
import { emptyFootprint, sweepDead, track, undo, untrack, type Footprint } from "./cleanup.ts";
import { FORWARD_READY_MS, POOL_FIRST_OCTET, POOL_SECOND_OCTET, POOL_SIZE, SETUP_PARALLEL, TBF_LATENCY_MS } from "./limits.ts";
import { DIR_PREFIX, LINK_ALIAS, PREFIX, labNames, type LabNames } from "./names.ts";
import { parseProfile, planProfile, tbfBurstBytes, type LinkCaps, type ProfileName } from "./profiles.ts";
import { overlaps, parseCidr, pickSubnet, type Cidr } from "./subnets.ts";

export interface NetHost {
  index: number;
  /** Network namespace name; the host-side end of its veth carries the same name. */
  ns: string;
  /** The host's address on the bridge. */
  ip: string;
  caps: LinkCaps;
  /** Path of an executable wrapper script: `exec ip netns exec <ns> <executable> "$@"` (for playwright's executablePath). */
  wrap(executable: string): string;
  /** Starts a TCP forwarder inside the namespace: 127.0.0.1:<port> -> <bridgeIp>:<port> for each port,
   *  so a page at http://localhost:<port> is a secure context while every byte still crosses the capped link.
   *  Resolves when all listeners are up. Stopped by lab.close(). */
  forward(ports: number[]): Promise<void>;
}

export interface NetLab {
  /** The host side address, where servers must listen. */
  bridgeIp: string;
  /** Bridge interface name. */
  bridge: string;
  hosts: NetHost[];
  profile: ProfileName;
  /** Undoes everything (namespaces, veths, bridge, forwarders, wrapper scripts). Idempotent. */
  close(): Promise<void>;
}

export { netlabSupport } from "./commands.ts";

const FORWARDER = join(import.meta.dirname, "forwarder.mjs");
let labCounter = 0;

export async function openNetLab(opts: { profile: ProfileName; viewers: number }): Promise<NetLab> {
  const support = netlabSupport();
  if (!support.ok) throw new Error(`netlab unsupported: ${support.reason}`);
  if (parseProfile(opts.profile) === undefined) throw new RangeError(`unknown profile ${JSON.stringify(opts.profile)}`);
  const plan = planProfile(opts.profile, opts.viewers);
  await sweepDead();
  const lab = labCounter++;
  const names = labNames(process.pid, lab);
  const f = emptyFootprint();
  track(f);
  let closed = false;
  try {
    const prefix = await makeBridge(names, f, process.pid * 7 + lab);
    const bridgeIp = `${prefix}.1`;
    const dir = { path: "" };
    const hosts = plan.caps.map((caps, i) => makeHost(i, names.host(i), `${prefix}.${i + 2}`, caps, bridgeIp, f, dir, names, () => closed));
    await inBatches(
      hosts.map((h) => () => linkHost(h, names.bridge, bridgeIp, plan.isolated, f)),
      SETUP_PARALLEL,
    );
    let closing: Promise<void> | undefined;
    return {
      bridgeIp,
      bridge: names.bridge,
      hosts,
      profile: opts.profile,
      close: () =>
        (closing ??= (async () => {
          closed = true;
          const errors = await undo(f);
          untrack(f);
          if (errors.length) throw new Error(`netlab close could not remove: ${errors.join("; ")}`);
        })()),
    };
  } catch (e) {
    closed = true;
    await undo(f);
    untrack(f);
    throw e;
  }
}

/** Creates the bridge and gives it the first free /24 of the pool, checked again after the
 * address is on: another process may have picked the same /24 in the same instant. */
async function makeBridge(names: LabNames, f: Footprint, start: number): Promise<string> {
  const br = names.bridge;
  f.links.push(br); // recorded first, so a bridge half made still gets deleted
  await run("ip", ["link", "add", "name", br, "type", "bridge"]);
  await run("ip", ["link", "set", "dev", br, "alias", LINK_ALIAS]);
  const rejected: Cidr[] = [];
  for (let attempt = 0; attempt < POOL_SIZE; attempt++) {
    const prefix = pickSubnet([...(await usedNetworks(br)), ...rejected], start);
    if (!prefix) throw new Error(`netlab: no free /24 left in ${POOL_FIRST_OCTET}.${POOL_SECOND_OCTET}.0.0/16`);
    const net = parseCidr(`${prefix}.0/24`)!;
    await run("ip", ["addr", "add", `${prefix}.1/24`, "dev", br]);
    if (!(await usedNetworks(br)).some((c) => overlaps(c, net))) {
      await run("ip", ["link", "set", "dev", br, "up"]);
      return prefix;
    }
    await run("ip", ["addr", "del", `${prefix}.1/24`, "dev", br]);
    rejected.push(net);
  }
  throw new Error(`netlab: every /24 in ${POOL_FIRST_OCTET}.${POOL_SECOND_OCTET}.0.0/16 clashed`);
}

/** IPv4 networks of every address and route on the machine except those of `exclude`. */
async function usedNetworks(exclude: string): Promise<Cidr[]> {
  type Addr = { ifname?: string; addr_info?: Array<{ local?: string; prefixlen?: number }> };
  type Route = { dst?: string; dev?: string };
  const addrs = JSON.parse((await run("ip", ["-j", "-4", "addr", "show"])) || "[]") as Addr[];
  const routes = JSON.parse((await run("ip", ["-j", "-4", "route", "show", "table", "all"])) || "[]") as Route[];
  const out: Cidr[] = [];
  for (const a of addrs) {
    if (a.ifname === exclude) continue;
    for (const i of a.addr_info ?? []) {
      const c = parseCidr(`${i.local}/${i.prefixlen}`);
      if (c) out.push(c);
    }
  }
  for (const r of routes) {
    if (r.dev === exclude || !r.dst || r.dst === "default") continue;
    const c = parseCidr(r.dst);
    if (c) out.push(c);
  }
  return out;
}

async function linkHost(h: NetHost, bridge: string, bridgeIp: string, isolated: boolean, f: Footprint): Promise<void> {
  const { ns } = h;
  f.namespaces.push(ns);
  await run("ip", ["netns", "add", ns]);
  // Chromium needs loopback up, and the forwarder listens on it.
  await run("ip", ["-n", ns, "link", "set", "lo", "up"]);
  f.links.push(ns);
  await run("ip", ["link", "add", "name", ns, "type", "veth", "peer", "name", "eth0", "netns", ns]);
  await run("ip", ["link", "set", "dev", ns, "alias", LINK_ALIAS]);
  await run("ip", ["link", "set", "dev", ns, "master", bridge]);
  await run("ip", ["link", "set", "dev", ns, "up"]);
  await run("ip", ["-n", ns, "link", "set", "eth0", "up"]);
  if (isolated) {
    // A /32 plus a route to the bridge address alone: the host answers, and packets to every
    // other namespace follow the default route below into lo and die there (a connection
    // times out). ip_forward is 0, so the host would not relay between namespaces either
    // (FIELD-NOTES: a "WebRTC blocked" viewer).
    await run("ip", ["-n", ns, "addr", "add", `${h.ip}/32`, "dev", "eth0"]);
    await run("ip", ["-n", ns, "route", "add", `${bridgeIp}/32`, "dev", "eth0"]);
  } else {
    // One /24 on one bridge: namespaces reach each other at layer 2, no forwarding needed.
    await run("ip", ["-n", ns, "addr", "add", `${h.ip}/24`, "dev", "eth0"]);
  }
  // Chromium gathers ICE host candidates only for the address its default route would use
  // (it has no media permission to list every interface), so without a default route a
  // page gets no candidates at all. Pointing the default at lo gives it one (the source is
  // still eth0's address) while anything off the lab loops back and is dropped inside the
  // namespace: nothing leaves it except to the bridge, whatever the host's ip_forward says.
  // A blocked host's ICE checks to another namespace die the same way.
  await run("ip", ["-n", ns, "route", "add", "default", "dev", "lo"]);
  // Uplink: what leaves the namespace. Downlink: what the host-side end sends into it.
  await run("tc", ["-n", ns, "qdisc", "add", "dev", "eth0", "root", ...tbf(h.caps.upKbit)]);
  await run("tc", ["qdisc", "add", "dev", ns, "root", ...tbf(h.caps.downKbit)]);
}

function tbf(rateKbit: number): string[] {
  return ["tbf", "rate", `${rateKbit}kbit`, "burst", String(tbfBurstBytes(rateKbit)), "latency", `${TBF_LATENCY_MS}ms`];
}

function makeHost(
  index: number,
  ns: string,
  ip: string,
  caps: LinkCaps,
  bridgeIp: string,
  f: Footprint,
  dir: { path: string },
  names: LabNames,
  isClosed: () => boolean,
): NetHost {
  let wrappers = 0;
  return {
    index,
    ns,
    ip,
    caps,
    wrap(executable) {
      if (isClosed()) throw new Error(`netlab ${names.tag} is closed`);
      if (!dir.path) f.dirs.push((dir.path = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${PREFIX}${names.tag}-`))));
      const path = join(dir.path, `${ns}-${wrappers++}.sh`);
      // `ip netns exec` execs the program (no fork), so the caller's pipes and pid are its.
      writeFileSync(path, `#!/bin/sh\nexec ${shq(toolPath("ip"))} netns exec ${shq(ns)} ${shq(executable)} "$@"\n`);
      chmodSync(path, 0o755);
      return path;
    },
    async forward(ports) {
      if (isClosed()) throw new Error(`netlab ${names.tag} is closed`);
      if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535) || new Set(ports).size !== ports.length) {
        throw new RangeError(`forward wants distinct TCP ports, got ${JSON.stringify(ports)}`);
      }
      const child = spawn(toolPath("ip"), ["netns", "exec", ns, process.execPath, FORWARDER, bridgeIp, ...ports.map(String)], {
        stdio: ["pipe", "pipe", "pipe"],
      });
      f.children.add(child);
      child.once("exit", () => f.children.delete(child));
      let out = "";
      let err = "";
      child.stderr.on("data", (d) => (err = (err + String(d)).slice(-2000)));
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const fail = (why: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          child.kill("SIGKILL");
          reject(new Error(`netlab forwarder in ${ns} for ${ports.join(",")}: ${why}${err ? `: ${err.trim()}` : ""}`));
        };
        const timer = setTimeout(() => fail(`not ready after ${FORWARD_READY_MS} ms`), FORWARD_READY_MS);
        child.once("error", (e) => fail(e.message));
        child.once("exit", (code, sig) => fail(`exited (${code ?? sig})`));
        child.stdout.on("data", (d) => {
          out += String(d);
          if (out.includes("\n")) {
            if (!out.startsWith("ready")) return fail(`said ${JSON.stringify(out.trim())}`);
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve();
          }
        });
      });
      // It must never keep this process alive: close() or the exit handler stops it.
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?(): void }).unref?.();
    },
  };
}

/** Single-quotes a word for /bin/sh. */
function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs tasks at most `n` at a time; on a failure starts no more, waits for those in flight
 * (so nothing is still being created while the caller undoes), then throws the first error. */
async function inBatches(tasks: Array<() => Promise<void>>, n: number): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < tasks.length) {
      try {
        await tasks[next++]!();
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  if (failed !== undefined) throw failed;
}
