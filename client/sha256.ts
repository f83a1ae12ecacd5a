// SHA-256 (FIPS 180-4) in plain JS: the fallback of client/integrity.ts's sha256Hex for pages
// where WebCrypto cannot hash. Browsers expose `crypto.subtle` only in a secure context, so a
// page on plain http:// (a LAN address, an intranet host) has none. It is only a fallback:
// WebCrypto is ~10× faster and off the main thread, and integrity.ts uses it whenever it works.
// Only the one-shot digest of a whole buffer; no HMAC, no incremental API, no hex.
//
// Why in-house: @noble/hashes 2.4.0's sha2.js, with its utils and Merkle–Damgård base, added
// 2,678 B gzip to edgeswarm.js, where the size budget (test/unit/client/size-budget.test.ts)
// had ~180 B left; this file adds 680 B. Its speed matches noble's (bench/integrity/index.ts,
// docs/client.md).

/**
 * The round constants: the first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes (FIPS 180-4 §4.2.2). Derived instead of listed to keep 64 incompressible
 * numbers out of the bundle; the nearest one is ~0.005 units of 2^-32 from a rounding edge,
 * thousands of ulps, so any Math.cbrt gives the same table (the test checks it against FIPS).
 */
export const K = new Int32Array(64);
/** The initial hash value: the same from the square roots of the first 8 primes (§5.3.3). */
export const H0 = new Int32Array(8);
for (let n = 2, i = 0; i < 64; n++) {
  let d = 2;
  while (n % d) d++;
  if (d < n) continue; // not a prime
  // `x % 1 * 2 ** 32` is below 2^32, and `| 0` keeps its low 32 bits as an int32.
  if (i < 8) H0[i] = ((Math.sqrt(n) % 1) * 2 ** 32) | 0;
  K[i++] = ((Math.cbrt(n) % 1) * 2 ** 32) | 0;
}

// The message schedule, reused across blocks and calls (hashing is synchronous).
const W = new Int32Array(64);

/**
 * One compression of the 64-byte block at `bytes[p..p+64)` into `H`. Words stay int32 (`| 0`,
 * Int32Array) rather than uint32 (`>>> 0`): V8 keeps int32 in registers, while uint32 values
 * above 2^31 become heap doubles and make this loop several times slower. The bits are the same.
 */
function compress(H: Int32Array, bytes: Uint8Array, p: number): void {
  for (let t = 0; t < 16; t++, p += 4) {
    W[t] = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const x = W[t - 15]!;
    const y = W[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[t] = (s1 + W[t - 7]! + s0 + W[t - 16]!) | 0;
  }
  let a = H[0]!,
    b = H[1]!,
    c = H[2]!,
    d = H[3]!,
    e = H[4]!,
    f = H[5]!,
    g = H[6]!,
    h = H[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

/** The 32-byte SHA-256 digest of the bytes `data` covers (a view hashes only its own range). */
export function sha256(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  const n = bytes.length;
  const H = H0.slice();
  // Whole blocks are read where they lie; only the last partial block is copied.
  const whole = n - (n % 64);
  for (let p = 0; p < whole; p += 64) compress(H, bytes, p);
  // Padding (§5.1.1): the rest, a 1 bit, zeros, and the length in bits as 64-bit big-endian;
  // a second block when fewer than 9 bytes of the first are free.
  const last = new Uint8Array(n - whole < 56 ? 64 : 128);
  last.set(bytes.subarray(whole));
  last[n - whole] = 0x80;
  // Dividing by 256 is exact in doubles, and storing into a Uint8Array truncates and keeps
  // the low 8 bits: this writes the bytes of n × 8 (< 2^53) from the end.
  for (let i = last.length - 1, bits = n * 8; bits >= 1; i--, bits /= 256) last[i] = bits;
  for (let p = 0; p < last.length; p += 64) compress(H, last, p);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = H[i >> 2]! >>> (24 - 8 * (i & 3));
  return out;
}
