// Every number the segment-lease room enforces, each with its reason. Constants only.

/**
 * How long a granted claim keeps other peers of the swarm off HTTP for that segment.
 * Long enough for the holder to fetch it and for the swarm to pass it on hop by hop
 * (a 2 s segment crosses a loopback/LAN mesh in well under a second, a WAN mesh in a
 * few); short enough that a holder who vanished costs at most this much before a
 * later claim is granted again. Peers whose playhead reaches the segment never ask:
 * they fetch it unconditionally, so a lost holder can never stall anyone.
 */
export const LEASE_TTL_MS = 20_000;

/**
 * Leases remembered per object. A live stream with 3 renditions and 2 s segments
 * creates 1.5 keys/s, VOD seeking creates more; 4,096 covers the TTL many times over,
 * and bounds memory against a client inventing keys (the oldest is forgotten first).
 */
export const MAX_LEASES = 4096;

/** Longest path a lease key may be (it is the segment's URL path). */
export const MAX_LEASE_KEY_CHARS = 512;
