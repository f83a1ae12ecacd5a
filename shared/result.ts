// One result shape for every check that can refuse its input: parsers, validators and
// readers of outside bytes return a Result instead of throwing, so a caller must look at
// `ok` before it can touch the value. Types only, plus two constructors.

export type Result<T, E = string> = { ok: true; value: T } | { ok: false; reason: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<E = string>(reason: E): { ok: false; reason: E } {
  return { ok: false, reason };
}
