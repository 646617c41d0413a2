// `routes:` → predicates, compiled once per config (regular expressions built here, not per event).
// Pure. The route stage asks, per record, which routes match; the body is parsed only when a route
// needs a field of it (`where:`). Event globs and `matches` run on RE2 (re2js): matching takes time
// linear in the input, whatever the pattern, so a signed event crafted against a route's pattern
// cannot hold the event loop (JavaScript's backtracking RegExp can take hours on 50 characters).
import { RE2JS } from 're2js';
import type { FieldPredicateConfig, RouteConfig } from './routes-config.ts';

export interface RouteSubject {
  event: string;
  accountId: string | undefined;
  app: string;
  /** The decoded Zoom body, parsed on first use; undefined when it is not JSON. */
  body: () => unknown;
}

export interface CompiledRoute {
  readonly name: string;
  readonly sinks: readonly string[];
  matches(subject: RouteSubject): boolean;
}

/** The route used when sinks.yaml has no `routes:`: everything to every sink. */
export const IMPLICIT_ROUTE_NAME = 'all-events';

/** A compiled pattern: `test` is true when it matches (a part of) the text. */
export interface TextPattern {
  test(text: string): boolean;
}

/** `*` = any run of characters (dots included), `?` = one character; the rest is literal. Anchored. */
export function compileGlob(glob: string): TextPattern {
  const source = glob.split(/([*?])/).map((part) => (part === '*' ? '.*' : part === '?' ? '.' : part === '' ? '' : RE2JS.quote(part)));
  return RE2JS.compile(`^${source.join('')}$`);
}

/** Where `matches` is documented: its syntax and what RE2 leaves out. */
export const RE2_SYNTAX_URL = 'https://github.com/google/re2/wiki/Syntax';

/**
 * Why a `matches` pattern cannot be run (undefined: it can). RE2 syntax, as JavaScript's for the
 * common parts; no backreferences, lookaround or `\u` escapes.
 */
export function fieldPatternProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    const detail = (err as Error).message.replace(/^error parsing regexp: /, '');
    return `not a regular expression RE2 can run (${detail}): \`matches\` uses RE2 syntax (${RE2_SYNTAX_URL}): no backreferences (\\1), lookahead or lookbehind ((?=…) (?!…) (?<=…) (?<!…)), possessive quantifiers or \\u escapes (write \\x{00e9}); repeat counts up to 1000`;
  }
}

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** The value at a dotted path; a numeric segment indexes an array. */
export function readField(body: unknown, path: readonly string[]): unknown {
  let at: unknown = body;
  for (const segment of path) {
    if (Array.isArray(at)) at = /^\d+$/.test(segment) ? at[Number(segment)] : undefined;
    else if (at !== null && typeof at === 'object') at = Object.hasOwn(at, segment) ? (at as Record<string, unknown>)[segment] : undefined;
    else return undefined;
  }
  return at;
}

const asText = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

function compilePredicate(p: FieldPredicateConfig): (body: unknown) => boolean {
  const path = p.field.split('.');
  if (p.exists !== undefined) {
    const want = p.exists;
    return (body) => {
      const v = readField(body, path);
      return (v !== undefined && v !== null) === want;
    };
  }
  if (p.equals !== undefined) {
    const want = String(p.equals);
    return (body) => asText(readField(body, path)) === want;
  }
  if (p.in !== undefined) {
    const want = new Set(p.in.map(String));
    return (body) => {
      const v = asText(readField(body, path));
      return v !== undefined && want.has(v);
    };
  }
  const re = RE2JS.compile(p.matches ?? '');
  return (body) => {
    const v = asText(readField(body, path));
    return v !== undefined && re.test(v);
  };
}

function compileEventMatcher(patterns: readonly string[] | undefined): ((event: string) => boolean) | undefined {
  if (patterns === undefined) return undefined;
  const exact = new Set(patterns.filter((p) => !isGlob(p)));
  const globs = patterns.filter(isGlob).map(compileGlob);
  return (event) => exact.has(event) || globs.some((re) => re.test(event));
}

export function compileRoute(route: RouteConfig, index: number): CompiledRoute {
  const event = compileEventMatcher(route.events);
  const accounts = route.accounts === undefined ? undefined : new Set(route.accounts);
  const apps = route.apps === undefined ? undefined : new Set(route.apps);
  const where = (route.where ?? []).map(compilePredicate);
  return {
    name: route.name ?? `route-${index + 1}`,
    sinks: route.sinks,
    matches(s) {
      if (event !== undefined && !event(s.event)) return false;
      if (accounts !== undefined && (s.accountId === undefined || !accounts.has(s.accountId))) return false;
      if (apps !== undefined && !apps.has(s.app)) return false;
      if (where.length === 0) return true;
      const body = s.body();
      return body !== undefined && where.every((test) => test(body));
    },
  };
}

/** Every route, in file order; without `routes:` one route sends everything to every sink. */
export function compileRoutes(routes: readonly RouteConfig[] | undefined, sinkNames: readonly string[]): CompiledRoute[] {
  if (routes === undefined) return [{ name: IMPLICIT_ROUTE_NAME, sinks: [...sinkNames], matches: () => true }];
  return routes.map(compileRoute);
}
