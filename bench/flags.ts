// Numeric command-line flags shared by the benches (`--name N`). Pure: argv in, number out;
// a bad value throws with the flag's name, before anything starts.

/** The positive number after `--<name>` in `argv`, or `def` when the flag is absent. */
export function numberFlag(name: string, def: number, argv: readonly string[] = process.argv): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}
