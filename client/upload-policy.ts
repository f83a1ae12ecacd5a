// Decides whether this viewer uploads to peers. Pure: the caller passes what the browser
// says about the connection (navigator.connection, where it exists) and the page's choice.

export type UploadSetting = "auto" | "on" | "off";

/** The subset of the Network Information API we read (Chromium only; others lack it). */
export interface ConnectionInfo {
  saveData?: boolean;
  type?: string;
}

/**
 * "auto" uploads unless the user asked to save data or is on a cellular link, where
 * uploading would spend their metered bytes to save ours. "on"/"off" are the page's call.
 */
export function shouldUpload(setting: UploadSetting, conn: ConnectionInfo | undefined): boolean {
  if (setting === "off") return false;
  if (setting === "on") return true;
  if (!conn) return true;
  if (conn.saveData === true) return false;
  if (conn.type === "cellular") return false;
  return true;
}

/** navigator.connection when present, read defensively (it is non-standard). */
export function readConnection(nav: unknown): (ConnectionInfo & EventTarget) | undefined {
  const c = (nav as { connection?: unknown } | undefined)?.connection;
  if (!c || typeof c !== "object") return undefined;
  return c as ConnectionInfo & EventTarget;
}
