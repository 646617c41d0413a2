// Lenient readers for fields of decoded JSON. Pure.

export function jsonRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A non-empty string, or a finite number as text (Zoom ids are sometimes numbers). */
export function jsonId(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

/** One object or an array of them, as a list (Zoom nests phone legs both ways). */
export function jsonList(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  return jsonRecord(v) === undefined ? undefined : [v];
}
