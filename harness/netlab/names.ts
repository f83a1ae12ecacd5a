// Names of everything a lab creates, and reading the owner's pid back out of them. Pure.
// A name carries the creating process's pid and a per-process lab counter, so two labs in
// one process or in two processes never collide, and a later run can tell leftovers of a
// dead process (its pid no longer exists) from a lab another live process is using.
// It does not decide addresses (subnets.ts) or run commands (commands.ts).
import { IFNAME_MAX, MAX_LABS_PER_PROCESS, MAX_VIEWERS } from "./limits.ts";

/** Every lab name starts with this: "EdgeSwarm NetLab". */
export const PREFIX = "esnl";
/** Set as the alias of every link a lab creates; a sweep deletes only links that carry it,
 * so a stranger's interface that happens to match the name pattern is never touched. */
export const LINK_ALIAS = "edgeswarm-netlab";
/** Wrapper scripts go in a temp dir whose name starts with this plus the lab's tag. */
export const DIR_PREFIX = "edgeswarm-netlab-";

export interface LabNames {
  /** `<pid base 36>-<lab counter base 36>`: base 36 because interface names get 15 chars. */
  tag: string;
  bridge: string;
  /** Namespace of host i; its host-side veth end carries the same name, so `ip link` and
   * `ip netns` list the same words. */
  host(i: number): string;
}

export function labNames(pid: number, lab: number): LabNames {
  if (!Number.isInteger(lab) || lab < 0 || lab >= MAX_LABS_PER_PROCESS) {
    throw new RangeError(`lab counter ${lab} is outside 0..${MAX_LABS_PER_PROCESS - 1} (interface names are ${IFNAME_MAX} chars)`);
  }
  const tag = `${pid.toString(36)}-${lab.toString(36)}`;
  const names: LabNames = {
    tag,
    bridge: `${PREFIX}${tag}-br`,
    host: (i) => {
      if (!Number.isInteger(i) || i < 0 || i >= MAX_VIEWERS) throw new RangeError(`host index ${i} is outside 0..${MAX_VIEWERS - 1}`);
      return `${PREFIX}${tag}-${i.toString(36)}`;
    },
  };
  // pid_max is at most 2^22 (5 base-36 chars): this only fires on a platform that breaks that.
  for (const n of [names.bridge, names.host(MAX_VIEWERS - 1)]) {
    if (n.length > IFNAME_MAX) throw new RangeError(`interface name ${n} is longer than ${IFNAME_MAX} chars`);
  }
  return names;
}

/** The throwaway namespace netlabSupport() creates to prove namespaces and tbf work; it
 * matches the lab pattern so a sweep removes it if the prober died mid-check. */
export function probeName(pid: number): string {
  return `${PREFIX}${pid.toString(36)}-probe-0`;
}

const NAME_RE = new RegExp(`^${PREFIX}([0-9a-z]{1,6})-[0-9a-z]+-[0-9a-z]+$`);
const DIR_RE = new RegExp(`^${DIR_PREFIX}${PREFIX}([0-9a-z]{1,6})-[0-9a-z]+-`);

/** The pid that created a namespace or link name, or undefined if the name is not a lab's. */
export function ownerPid(name: string): number | undefined {
  const m = NAME_RE.exec(name);
  return m ? parseInt(m[1]!, 36) : undefined;
}

/** The pid that created a wrapper-script dir (by its base name), or undefined. */
export function dirOwnerPid(base: string): number | undefined {
  const m = DIR_RE.exec(base);
  return m ? parseInt(m[1]!, 36) : undefined;
}
