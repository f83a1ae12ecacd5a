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
 * and bounds memory. Only segments the origin served are ever leased (claim.ts), so a
 * client inventing keys cannot fill the book; the oldest is still forgotten first.
 */
export const MAX_LEASES = 4096;

/**
 * Leases one viewer (one address, or one IPv6 /64: viewer.ts) may hold at once in an
 * object. An honest viewer claims each new segment of the one rendition it plays (the
 * client seeds live streams only): with 1 s segments that is at most 20 per LEASE_TTL_MS,
 * plus a couple of catch-up claims on joining (client SEED_MAX_IN_FLIGHT = 2). Several
 * viewers can share an address (a household, an office, carrier-grade NAT), and a swarm
 * spreads its claims over its viewers, so 64 leaves room for three viewers that each win
 * every segment. Past it the viewer's claims are denied, which costs nothing: it fetches
 * at its playhead without a claim (never refused) or gets the segment from peers. It
 * keeps one address from holding more than 1/64 of MAX_LEASES, so it cannot take the
 * seeding of a whole swarm and then not share.
 */
export const MAX_LEASES_PER_VIEWER = 64;

/** Longest path a lease key may be (it is the segment's URL path). */
export const MAX_LEASE_KEY_CHARS = 512;

/**
 * Addresses a lease object knows at once (the tracker's witness, known-viewers.ts). A region's
 * shards hold at most MAX_BUCKETS × MAX_SOCKETS_PER_SHARD sockets in theory, but one address
 * per viewer household; 100,000 covers the largest audience a region's claims matter for and
 * bounds memory and storage to a few MB. Past it the longest-unseen address is forgotten,
 * which only costs it its claims until its next announce re-sights it.
 */
export const MAX_KNOWN_VIEWERS = 100_000;
