// Waits with vi.waitFor until a probe's answer is the one wanted, and hands back the last
// answer either way: the test then asserts on it, so a timeout fails with that assertion's
// own message rather than the wait's. Errors thrown by the probe itself (a failed request,
// a page without a player) are not retried: they end the wait and fail the test, as they
// did before the wait existed. For tests only (it imports vitest); benches do not use it.
import { vi } from "vitest";

export async function waitForValue<T>(probe: () => Promise<T>, wanted: (value: T) => boolean, opts: { timeout: number; interval: number }): Promise<T> {
  let last: { value: T } | undefined;
  let failed: { err: unknown } | undefined;
  await vi
    .waitFor(async () => {
      try {
        last = { value: await probe() };
      } catch (err) {
        failed = { err };
        return;
      }
      if (!wanted(last.value)) throw new Error("not the wanted value yet");
    }, opts)
    .catch(() => undefined);
  if (failed) throw failed.err;
  if (!last) throw new Error(`no answer from the probe within ${opts.timeout} ms`);
  return last.value;
}
