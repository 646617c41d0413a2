// `Retry-After` (seconds or an HTTP date) → milliseconds to wait, or undefined. Pure.

/** The most a server may make us wait through Retry-After; beyond it the normal backoff applies. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

export function retryAfterMs(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const t = v.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(t)) ms = Number(t) * 1000;
  else {
    const at = Date.parse(t);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}
