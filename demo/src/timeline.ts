// The segment-source timeline: one cell per segment the player received, coloured by
// where its bytes came from (HTTP, a peer, or a peer segment that failed its SHA-256
// check). Pure and bounded; rendering the cells is the viewer's job.

export type SegmentSource = "http" | "p2p" | "rejected";

export interface TimelineCell {
  /** Monotonic id, so the renderer can append only what is new. */
  seq: number;
  source: SegmentSource;
  bytes: number;
  /** Human label for the cell's text alternative, e.g. "segment 1532 (720p)". */
  label: string;
}

export interface TimelineCounts {
  http: number;
  p2p: number;
  rejected: number;
}

export class SegmentTimeline {
  private cells: TimelineCell[] = [];
  private nextSeq = 0;
  private totals: TimelineCounts = { http: 0, p2p: 0, rejected: 0 };

  constructor(private readonly capacity = 240) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
  }

  add(source: SegmentSource, bytes: number, label: string): TimelineCell {
    const cell: TimelineCell = {
      seq: this.nextSeq++,
      source,
      bytes: Number.isFinite(bytes) && bytes > 0 ? Math.round(bytes) : 0,
      // Labels end up in aria-labels and title attributes; keep them short and printable.
      label: label.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 120),
    };
    this.cells.push(cell);
    this.totals[source]++;
    if (this.cells.length > this.capacity) this.cells.shift();
    return cell;
  }

  /** Cells still in the window, oldest first. */
  list(): readonly TimelineCell[] {
    return this.cells;
  }

  /** Counts over the whole session (not only the visible window). */
  counts(): TimelineCounts {
    return { ...this.totals };
  }

  /** One sentence for screen readers: the chart's text alternative. */
  summary(): string {
    const c = this.totals;
    const n = c.http + c.p2p + c.rejected;
    if (n === 0) return "No segments loaded yet.";
    return `${n} segments: ${c.p2p} from peers, ${c.http} over HTTP, ${c.rejected} rejected peer segments.`;
  }
}
