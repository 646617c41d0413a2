// A sink's `attributes:` allow/deny list → a function from a sample's attributes to the attributes
// the sink keeps. Samples share frozen attribute objects, so results are remembered per input
// object (WeakMap): filtering costs one lookup per sample, not one object per point. Pure.
import { compileGlob, isGlob } from '../route/compile-routes.ts';

export type AttributeFilter = (attributes: Readonly<Record<string, string>>) => Readonly<Record<string, string>>;

/** Does a name match any of the patterns (names or `*` globs)? */
export function namePredicate(patterns: readonly string[]): (name: string) => boolean {
  const exact = new Set(patterns.filter((p) => !isGlob(p)));
  const globs = patterns.filter(isGlob).map(compileGlob);
  return (name) => exact.has(name) || globs.some((re) => re.test(name));
}

/**
 * `pick` (optional) first keeps only the named attributes (a custom metric's list); then `allow`
 * keeps only matching names, or `deny` removes matching names.
 */
export function compileAttributeFilter(rules: { allow?: readonly string[]; deny?: readonly string[]; pick?: readonly string[] }): AttributeFilter {
  const pick = rules.pick === undefined ? undefined : new Set(rules.pick);
  const allow = rules.allow === undefined ? undefined : namePredicate(rules.allow);
  const deny = rules.deny === undefined || rules.deny.length === 0 ? undefined : namePredicate(rules.deny);
  if (pick === undefined && allow === undefined && deny === undefined) return (attributes) => attributes;
  const keep = (name: string): boolean => (pick === undefined || pick.has(name)) && (allow === undefined || allow(name)) && (deny === undefined || !deny(name));
  const memo = new WeakMap<object, Readonly<Record<string, string>>>();
  return (attributes) => {
    let out = memo.get(attributes);
    if (out === undefined) {
      const kept: Record<string, string> = {};
      for (const name in attributes) if (keep(name)) kept[name] = attributes[name] as string;
      out = Object.freeze(kept);
      memo.set(attributes, out);
    }
    return out;
  };
}
