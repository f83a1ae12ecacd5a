// The simulator's clock: a discrete-event queue on a binary heap. Events fire in time order;
// events at the same time fire in the order they were scheduled (a sequence number breaks
// ties), so a run is deterministic. A scheduled event can be cancelled: it stays in the heap
// and is skipped when it comes up, which keeps cancel O(1). No simulation logic here.

export interface Handle {
  readonly time: number;
  cancelled: boolean;
}

interface Entry extends Handle {
  seq: number;
  fn: () => void;
}

export class EventQueue {
  private heap: Entry[] = [];
  private seq = 0;
  /** Time of the event being run (or of the last one run). */
  now = 0;
  /** Events run so far (cancelled ones not counted). */
  fired = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Run `fn` at absolute time `time` (never before now: an earlier time runs now). */
  at(time: number, fn: () => void): Handle {
    const e: Entry = { time: Math.max(time, this.now), seq: this.seq++, fn, cancelled: false };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(e, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
    return e;
  }

  /** Run `fn` `delay` seconds from now. */
  after(delay: number, fn: () => void): Handle {
    return this.at(this.now + delay, fn);
  }

  cancel(h: Handle | undefined): void {
    if (h) h.cancelled = true;
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined) return undefined;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(h[r]!, h[l]!) ? r : l;
        if (!less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  /** Run events in order until none is left or the next is later than `until`. */
  run(until = Infinity): void {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.time > until) break;
      this.pop();
      if (top.cancelled) continue;
      this.now = top.time;
      this.fired++;
      top.fn();
    }
    if (until !== Infinity && until > this.now) this.now = until;
  }
}

function less(a: Entry, b: Entry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
