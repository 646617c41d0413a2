// Parses a human duration for `simulate --duration`: "500ms", "60s", "5m", "2h", "1.5m", "1h30m".
// Pure. Units are lowercase (ms, s, m, h); a bare number is refused because its unit would be a guess.

export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
const MAX_MS = 7 * 24 * 3_600_000;

export function parseDuration(input: string): DurationResult {
  const text = input.trim();
  const bad = (why: string): DurationResult => ({
    ok: false,
    message: `invalid duration "${input}": ${why} (examples: 500ms, 60s, 5m, 2h, 1h30m)`,
  });
  if (text === '') return bad('it is empty');
  if (/^\d+(\.\d+)?$/.test(text)) return bad('a unit is missing');
  let total = 0;
  let index = 0;
  const seen = new Set<string>();
  while (index < text.length) {
    PART.lastIndex = index;
    const match = PART.exec(text);
    if (match === null) return bad(`cannot read "${text.slice(index)}"`);
    const [whole, amount, unit] = match as unknown as [string, string, string];
    if (seen.has(unit)) return bad(`the unit "${unit}" appears twice`);
    seen.add(unit);
    total += Number(amount) * (UNIT_MS[unit] ?? Number.NaN);
    index += whole.length;
  }
  const ms = Math.round(total);
  if (!Number.isFinite(ms)) return bad('it is not a number');
  if (ms > MAX_MS) return bad('it is longer than 7 days');
  return { ok: true, ms };
}
