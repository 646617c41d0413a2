// OpenTelemetry metric and attribute names → Prometheus names, the way the OpenTelemetry
// Collector's Prometheus exporter translates them (prometheus/otlptranslator, "underscore escaping
// with suffixes", gauges): name tokens joined by `_`, the unit as a suffix (`s` → `seconds`,
// `bit/s` → `bit_per_second`, `{frame}/s` → `per_second`, annotations in braces dropped), `_ratio`
// for unit `1`. So one dashboard works whether the data comes through the Collector or this sink.
// Pure.

const UNIT: Readonly<Record<string, string>> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes', KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams', Cel: 'celsius', Hz: 'hertz', '1': '', '%': 'percent',
};
const PER_UNIT: Readonly<Record<string, string>> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

const tokens = (text: string): string[] => text.split(/[^a-zA-Z0-9:]+/).filter((t) => t !== '');

/** A unit part as name tokens: characters outside [a-zA-Z0-9:] become `_`, repeated `_` collapse. */
function unitPart(part: string | undefined, table: Readonly<Record<string, string>>): string {
  const p = part?.trim() ?? '';
  if (p === '' || /[{}]/.test(p)) return '';
  const mapped = Object.hasOwn(table, p) ? (table[p] as string) : p;
  return mapped.replace(/[^a-zA-Z0-9:]/g, '_').replace(/_+/g, '_').replace(/^_/, '').replace(/_$/, '');
}

export function prometheusMetricName(name: string, unit: string): string {
  const nameTokens = tokens(name);
  const [main, per] = unit.split(/\/(.*)/s, 2);
  const mainSuffix = unitPart(main, UNIT);
  const perBase = unitPart(per, PER_UNIT);
  const perSuffix = perBase === '' ? '' : `per_${perBase}`;
  if (mainSuffix !== '' && !nameTokens.includes(mainSuffix)) nameTokens.push(mainSuffix);
  if (perSuffix !== '' && !nameTokens.includes(perSuffix)) nameTokens.push(perSuffix);
  let out = nameTokens;
  if (unit === '1') out = [...nameTokens.filter((t) => t !== 'ratio'), 'ratio'];
  const joined = out.join('_');
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/** Attribute key → label name: invalid characters become `_`; a leading digit gets `key_`. */
export function prometheusLabelName(key: string): string {
  const cleaned = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `key_${cleaned}` : cleaned;
}
