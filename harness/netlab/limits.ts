// Every number the network lab uses, each with the reason it has that value. Constants
// only: no I/O, no logic beyond arithmetic on these. profiles.ts, names.ts, subnets.ts and
// lab.ts read their numbers from here and nowhere else.

/**
 * Link rates per profile, in tc's units: "kbit" is 1000 bit/s, so 100_000 kbit is 100 Mbit/s.
 * - lan: a wired home or office LAN; fast enough that the link is never what limits HLS.
 * - cable: a common DOCSIS consumer plan, asymmetric about 1:16 (FIELD-NOTES ran 3/50).
 * - dsl: ADSL2+-class; its 1 Mbit/s uplink is the weakest a real viewer plausibly has, and
 *   it makes a P2P hop of one segment cost seconds (segment bytes ÷ uplink).
 * - weak: a cable downlink with a 0.3 Mbit/s uplink (a congested or throttled upstream):
 *   below the stream's own bitrate, so it cannot feed even one peer in real time.
 */
export const RATES = {
  lan: { upKbit: 100_000, downKbit: 100_000 },
  cable: { upKbit: 3_000, downKbit: 50_000 },
  dsl: { upKbit: 1_000, downKbit: 10_000 },
  weak: { upKbit: 300, downKbit: 50_000 },
} as const;

/**
 * tbf bucket floor. The bucket must hold at least one full-size packet or tbf drops it, and
 * veth hands tbf GSO packets of up to 64 KiB, which tbf then splits to fit. 32 KiB is what
 * FIELD-NOTES used and, measured here, already lets 100 Mbit/s through at line rate.
 */
export const BURST_FLOOR_BYTES = 32 * 1024;

/**
 * tc-tbf(8): "burst must be at least rate / HZ", or the bucket cannot refill between timer
 * ticks and the link tops out below its rate. 100 is the coarsest tick common kernels use
 * (this one runs 250 with high-resolution timers), so rate/100 holds on any of them.
 */
export const BURST_TICK_HZ = 100;

/** How long a packet may queue in tbf before it is dropped: a bufferbloated but real consumer
 * modem, and the value FIELD-NOTES' runs used. tc turns it into the queue length. */
export const TBF_LATENCY_MS = 400;

/** A /24 gives .1 to the bridge and .2–.254 to hosts; 250 keeps a margin and keeps each
 * host's index at most two base-36 characters in interface names (see names.ts). */
export const MAX_VIEWERS = 250;

/**
 * Linux interface names are at most 15 characters (IFNAMSIZ 16 with the NUL). names.ts packs
 * prefix, pid, lab counter and host index into that, so the lab counter gets two base-36
 * characters: 1296 labs per process.
 */
export const IFNAME_MAX = 15;
export const MAX_LABS_PER_PROCESS = 36 * 36;

/**
 * Address pool: the 256 /24s of 10.213.0.0/16. Private (RFC 1918), and a second octet that
 * common defaults (10.0/16 home routers, 10.8/16 OpenVPN, 10.96/12 Kubernetes) leave alone.
 * Any /24 that overlaps an address or route already on the machine is skipped anyway.
 */
export const POOL_FIRST_OCTET = 10;
export const POOL_SECOND_OCTET = 213;
export const POOL_SIZE = 256;

/** Each `ip`/`tc` call takes milliseconds; one that hangs means a wedged kernel or netns
 * mount, and failing beats hanging a test run. */
export const COMMAND_TIMEOUT_MS = 10_000;

/** A Node process starting inside a namespace takes about 0.1 s on an idle machine; two
 * shared cores busy with Chromium viewers can stretch that tenfold and more. */
export const FORWARD_READY_MS = 15_000;

/** close() asks forwarders to stop, then kills them after this: they hold the namespace open
 * (and its link alive) until they exit. */
export const FORWARDER_EXIT_MS = 2_000;

/** Hosts set up at once: `ip` serialises on the kernel's rtnl lock anyway; a few in flight
 * only hide process start-up time, and more would crowd 2 shared cores. */
export const SETUP_PARALLEL = 4;
