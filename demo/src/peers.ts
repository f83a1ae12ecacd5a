// Per-peer byte accounting for the viewer's peer table: bytes received from and sent to
// each peer, whether it is still connected. Pure and bounded (a hostile swarm can churn
// through many peer ids; the table must not grow without limit). No DOM here.

export interface PeerRow {
  id: string;
  connected: boolean;
  downloaded: number;
  uploaded: number;
  /** ms timestamp of the last event about this peer, for eviction order. */
  lastSeen: number;
}

export class PeerTable {
  private rows = new Map<string, PeerRow>();

  constructor(private readonly maxPeers = 64) {}

  private row(id: string, now: number): PeerRow {
    let r = this.rows.get(id);
    if (!r) {
      r = { id, connected: true, downloaded: 0, uploaded: 0, lastSeen: now };
      this.rows.set(id, r);
      this.evict();
    }
    r.lastSeen = now;
    return r;
  }

  /** Drops the disconnected peer seen longest ago, then the oldest connected one. */
  private evict(): void {
    while (this.rows.size > this.maxPeers) {
      const all = [...this.rows.values()];
      const gone = all.filter((r) => !r.connected);
      const pool = gone.length > 0 ? gone : all;
      const oldest = pool.reduce((a, b) => (b.lastSeen < a.lastSeen ? b : a));
      this.rows.delete(oldest.id);
    }
  }

  connect(id: string, now: number): void {
    this.row(id, now).connected = true;
  }

  disconnect(id: string, now: number): void {
    const r = this.rows.get(id);
    if (r) {
      r.connected = false;
      r.lastSeen = now;
    }
  }

  received(id: string, bytes: number, now: number): void {
    if (Number.isFinite(bytes) && bytes > 0) this.row(id, now).downloaded += bytes;
  }

  sent(id: string, bytes: number, now: number): void {
    if (Number.isFinite(bytes) && bytes > 0) this.row(id, now).uploaded += bytes;
  }

  /** Connected peers first, then by total traffic, so the busy peers top the table. */
  list(): PeerRow[] {
    return [...this.rows.values()]
      .map((r) => ({ ...r }))
      .sort((a, b) => Number(b.connected) - Number(a.connected) || b.downloaded + b.uploaded - (a.downloaded + a.uploaded) || a.id.localeCompare(b.id));
  }

  connectedCount(): number {
    let n = 0;
    for (const r of this.rows.values()) if (r.connected) n++;
    return n;
  }
}
