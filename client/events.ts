// A tiny typed event emitter for the player handle: on/off/emit over an event map.
// It does not know any event names (types.ts defines them) and never lets one listener's
// exception stop the others or reach the player.

export type Listener<T> = (payload: T) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(type: K, fn: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => this.off(type, fn);
  }

  off<K extends keyof Events>(type: K, fn: Listener<Events[K]>): void {
    this.listeners.get(type)?.delete(fn as Listener<never>);
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<Events[K]>)(payload);
      } catch (err) {
        // A page's buggy listener must not break playback; surface it where developers look.
        console.error("[edgeswarm] listener for", String(type), "threw", err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

/** A thrown value as the `details` of an error event. */
export function message(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (err && typeof err === "object" && "message" in err) return String((err as { message: unknown }).message);
  return String(err);
}
