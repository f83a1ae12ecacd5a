// How many peer uploads this viewer serves at once, from what it can see of its own uploads:
// for each whole upload, the seconds of media it carried, how long it took, and how many
// uploads ran beside it. The segment store reports those (segment-store.ts, fed to this by
// seeding.ts) and the swarm simulator reports the same (sim/swarm.ts); both obey its answer.
// Pure: no timers, no I/O, time is passed in. It does not know the uplink, the connection
// limit or the bitrate; it does not choose which peer is served (first come, first served).
import { MAX_PARALLEL_UPLOADS, UPLOAD_SLOTS_HOLD_S, UPLOAD_SLOTS_KEEP, UPLOAD_SLOTS_MIN_SPEED, UPLOAD_SLOTS_SAMPLES } from "./limits";

export interface UploadSlots {
  /** Uploads to serve at once now (1 to MAX_PARALLEL_UPLOADS). */
  readonly slots: number;
  /**
   * A whole upload granted at `startS` finished at `nowS`: `mediaS` seconds of media went out
   * while `conc` uploads ran at once (the most at its grant or its end, itself included).
   * Returns the slots from now on. Uploads granted before the last change of slots are not
   * counted: they ran under the old number.
   */
  done(mediaS: number, startS: number, conc: number, nowS: number): number;
}

/**
 * Speeds are media seconds sent per second (1: one copy in real time), so the rule holds for
 * any bitrate. Every UPLOAD_SLOTS_SAMPLES whole uploads it compares the speed of each upload
 * with `one`, the speed of an upload running alone (one connection's throughput, as measured):
 * - shared uploads ran under UPLOAD_SLOTS_KEEP of `one`: the uplink is full, so it keeps as
 *   many as the measured total carries at `one` each (at least one fewer), and waits
 *   UPLOAD_SLOTS_HOLD_S before trying more;
 * - were the uplink already full, the total it measured would still carry one more upload
 *   at UPLOAD_SLOTS_MIN_SPEED each: one more slot. The total grows only with uploads really
 *   running side by side, so slots follow demand; a slow uplink never gets there.
 */
export function uploadSlots(): UploadSlots {
  let k = 1,
    one = 0,
    hold = 0,
    changed = -1,
    n = 0,
    media = 0,
    secs = 0,
    area = 0;
  return {
    get slots() {
      return k;
    },
    done(mediaS, startS, conc, nowS) {
      const s = nowS - startS;
      if (!(mediaS > 0 && s > 0) || startS < changed) return k;
      n++;
      media += mediaS;
      secs += s;
      area += s * (conc >= 1 ? conc : 1);
      if (n < UPLOAD_SLOTS_SAMPLES) return k;
      const speed = media / secs;
      const c = area / secs;
      n = media = secs = area = 0;
      // Mostly alone: this is one connection's speed now (it follows a falling uplink too).
      if (c < 1.5 || speed > one) one = speed;
      const was = k;
      if (c >= 1.5 && speed < UPLOAD_SLOTS_KEEP * one) {
        k = Math.max(1, Math.min(k - 1, Math.round((speed * c) / one)));
        hold = nowS + UPLOAD_SLOTS_HOLD_S;
      } else if (k < MAX_PARALLEL_UPLOADS && nowS >= hold && (speed * c) / (k + 1) >= UPLOAD_SLOTS_MIN_SPEED) k++;
      if (k !== was) changed = nowS;
      return k;
    },
  };
}
