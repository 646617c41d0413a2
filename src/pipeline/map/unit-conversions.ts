// Units a custom metric may be sent in, per base unit of its source, with the factor from the base
// unit. Pure data + one lookup. Results are rounded to 15 significant digits so that 0.134 s sent
// in ms is 134, not 134.00000000000003.
import type { QosUnit } from '../normalize/metric-catalogue.ts';

export const UNIT_CONVERSIONS: Readonly<Record<QosUnit, Readonly<Record<string, number>>>> = {
  'bit/s': { 'bit/s': 1, 'kbit/s': 1e-3, 'Mbit/s': 1e-6, 'By/s': 1 / 8 },
  s: { s: 1, ms: 1e3, us: 1e6 },
  '1': { '1': 1, '%': 100 },
  '{frame}/s': { '{frame}/s': 1 },
  '{pixel}': { '{pixel}': 1 },
  dBm: { dBm: 1 },
};

/** Factor from `base` to `unit`, or undefined when the unit does not fit the base unit. */
export function unitFactor(base: QosUnit, unit: string): number | undefined {
  const table = UNIT_CONVERSIONS[base];
  return Object.hasOwn(table, unit) ? table[unit] : undefined;
}

export function convertValue(value: number, factor: number): number {
  return factor === 1 ? value : Number((value * factor).toPrecision(15));
}
