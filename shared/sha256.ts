// Lowercase hex SHA-256 through WebCrypto, which the Worker, Node and secure browser pages
// all have. Pages without crypto.subtle (plain http:// off localhost) need the client's JS
// fallback on top of this (client/integrity.ts); nothing here knows about that.

/** Lowercase hex of bytes (a digest). */
export function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** SHA-256 of `data` as 64 lowercase hex chars. */
export async function sha256Hex(data: ArrayBuffer | ArrayBufferView<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
}
