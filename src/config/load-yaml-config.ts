// Reads one YAML config file: environment interpolation, environment overrides, JSON Schema
// validation (ajv: every problem at once, defaults filled in) and semantic checks. Every problem
// comes back with file:line:column, the key path, what was expected and what was found. Pure
// apart from the ajv compile cache: the caller reads the file and passes its text in.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isScalar, LineCounter, parseDocument, parse as parseYamlValue, visit, type Document, type Node, type Scalar } from 'yaml';
import { didYouMean } from './did-you-mean.ts';
import { findAliasProblem } from './find-alias-problem.ts';
import { sortIssues, type ConfigIssue, type ConfigResult, type SemanticIssue } from './config-issue.ts';
import { interpolateEnv } from './interpolate-env.ts';

export interface EnvOverride {
  env: string;
  path: readonly string[];
  /** list: comma-separated, blanks dropped. */
  type: 'integer' | 'string' | 'list';
  /** Another key the variable sets when present (e.g. KAFKA_BROKERS also sets bus.type). */
  also?: { path: readonly string[]; value: string };
}

function overrideValue(o: EnvOverride, raw: string): unknown {
  if (o.type === 'list') return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return o.type === 'integer' && /^-?[0-9]+$/.test(raw.trim()) ? Number(raw) : raw;
}

export interface LoadYamlConfigInput<T> {
  file: string;
  text: string;
  schema: object;
  env: Readonly<Record<string, string | undefined>>;
  overrides?: readonly EnvOverride[];
  /** Cross-field rules, run only when the schema passed. */
  check?: (value: T) => SemanticIssue[];
}

// verbose: errors carry their schema, so messages can list allowed keys and hide writeOnly values.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, discriminator: true, verbose: true });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (fn === undefined) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function dotted(path: readonly string[]): string {
  return path.length === 0 ? '(root)' : path.join('.');
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let v = data;
  for (const k of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function describe(value: unknown, hidden: boolean): string {
  if (value === undefined) return 'nothing';
  if (hidden) return 'a hidden value';
  if (value === null) return 'an empty value (null)';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length > 60 ? `${JSON.stringify(value.slice(0, 57))}…` : JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

const TYPE_NAMES: Record<string, string> = { object: 'a mapping', array: 'a list', integer: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false' };

/** One ajv error → where it points and what to say. */
function explain(err: ErrorObject, data: unknown): { path: string[]; key?: boolean; message: string } {
  const base = pointerToPath(err.instancePath);
  const hidden = err.parentSchema?.writeOnly === true;
  const found = describe(valueAt(data, base), hidden);
  const p = err.params as Record<string, unknown>;
  const propertyName = (err as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    return { path: [...base, propertyName], key: true, message: `invalid name ${JSON.stringify(propertyName)}: expected a name matching ${String(p.pattern ?? err.message)}` };
  }
  switch (err.keyword) {
    case 'type':
      return { path: base, message: `expected ${String(p.type).split(',').map((t) => TYPE_NAMES[t] ?? t).join(' or ')}, found ${found}` };
    case 'required':
      return { path: [...base, String(p.missingProperty)], message: 'missing (required)' };
    case 'additionalProperties': {
      const known = Object.keys((err.parentSchema?.properties as object | undefined) ?? {});
      const key = String(p.additionalProperty);
      const listing = known.length > 0 ? `; expected one of ${known.join(', ')}` : '';
      return { path: [...base, key], key: true, message: `unknown key ${JSON.stringify(key)}${didYouMean(key, known)}${listing}` };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      return { path: base, message: `expected one of ${allowed.join(', ')}, found ${found}` };
    }
    case 'const':
      return { path: base, message: `expected ${JSON.stringify(p.allowedValue)}, found ${found}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path: base, message: `expected a number ${String(p.comparison)} ${String(p.limit)}, found ${found}` };
    case 'minLength':
      return { path: base, message: p.limit === 1 ? `expected a non-empty string, found ${found}` : `expected at least ${String(p.limit)} characters, found ${found}` };
    case 'pattern':
      return { path: base, message: `expected a string matching ${String(p.pattern)}, found ${found}` };
    case 'minProperties':
      return { path: base, message: `expected at least ${String(p.limit)} entr${p.limit === 1 ? 'y' : 'ies'}, found none` };
    case 'minItems':
      return { path: base, message: `expected at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}, found ${found}` };
    case 'uniqueItems':
      return { path: [...base, String(p.j)], message: `duplicate of item ${String(p.i)}` };
    case 'discriminator': {
      const tag = String(p.tag);
      const options = ((err.parentSchema?.oneOf as { properties: Record<string, { const: string }> }[] | undefined) ?? []).map((s) => JSON.stringify(s.properties[tag]?.const));
      return { path: [...base, tag], message: `expected one of ${options.join(', ')}, found ${describe(p.tagValue, false)}` };
    }
    default:
      return { path: base, message: `${err.message ?? 'is invalid'} (found ${found})` };
  }
}

interface Located {
  doc: Document;
  lines: LineCounter;
}

function nodeAt(located: Located, path: readonly string[], key: boolean): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const parentPath = path.slice(0, Math.max(0, n - 1));
    if (key && n === path.length && n > 0) {
      const parent = located.doc.getIn(parentPath, true);
      if (isMap(parent)) {
        const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === path[n - 1]);
        if (pair !== undefined) return pair.key as Node;
      }
      continue;
    }
    const node = n === 0 ? located.doc.contents : located.doc.getIn(path.slice(0, n), true);
    if (node !== undefined && node !== null && typeof node === 'object' && 'range' in (node as object)) return node as Node;
  }
  return undefined;
}

function position(file: string, located: Located, path: readonly string[], key = false): string {
  const node = nodeAt(located, path, key);
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = located.lines.linePos(offset);
  return `${file}:${line}:${col}`;
}

/**
 * An unquoted `${PORT:-8080}` becomes the number or boolean it reads as; anything else stays the
 * exact string (a secret like `@x #y` or `!z` must not be re-read as YAML, cut, or echoed).
 */
function typedScalar(text: string): unknown {
  if (text === '') return text;
  try {
    const parsed: unknown = parseYamlValue(text, { logLevel: 'silent' });
    return typeof parsed === 'number' || typeof parsed === 'boolean' ? parsed : text;
  } catch {
    return text;
  }
}

function interpolate(doc: Document, env: LoadYamlConfigInput<unknown>['env'], onError: (node: Scalar, message: string) => void): void {
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const result = interpolateEnv(node.value, env);
      if (!result.ok) return void onError(node, result.message);
      node.value = node.type === 'PLAIN' ? typedScalar(result.value) : result.value;
    },
  });
}

function setIn(data: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = data;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function loadYamlConfig<T>(input: LoadYamlConfigInput<T>): ConfigResult<T> {
  const lines = new LineCounter();
  const doc = parseDocument(input.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const located: Located = { doc, lines };
  const issues: ConfigIssue[] = [];
  for (const e of doc.errors) {
    const { line, col } = lines.linePos(e.pos[0]);
    issues.push({ where: `${input.file}:${line}:${col}`, path: '(yaml)', message: e.message.split('\n')[0]! });
  }
  if (issues.length > 0) return { ok: false, issues };
  const yamlIssue = (offset: number, message: string): ConfigResult<T> => {
    const { line, col } = lines.linePos(offset);
    return { ok: false, issues: [{ where: `${input.file}:${line}:${col}`, path: '(yaml)', message }] };
  };
  // Aliases toJS() would throw on (or turn into a cycle): a problem at the alias, not a crash.
  const aliasProblem = findAliasProblem(doc);
  if (aliasProblem !== undefined) return yamlIssue(aliasProblem.alias.range?.[0] ?? 0, aliasProblem.message);
  // An interpolation problem is reported, and the schema's view of that same value is not.
  interpolate(doc, input.env, (node, message) => {
    const { line, col } = lines.linePos(node.range?.[0] ?? 0);
    issues.push({ where: `${input.file}:${line}:${col}`, path: '(interpolation)', message });
  });
  const interpolationFailed = new Set(issues.map((i) => i.where));

  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (err) {
    // Defensive: findAliasProblem mirrors the library's refusals; anything else it throws is still the file's problem.
    return yamlIssue(0, `cannot be read as YAML data: ${(err as Error).message.split('\n')[0]!}`);
  }
  const fromEnv = new Map<string, string>();
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    for (const o of input.overrides ?? []) {
      const raw = input.env[o.env];
      if (raw === undefined || raw === '') continue;
      setIn(data as Record<string, unknown>, o.path, overrideValue(o, raw));
      fromEnv.set(dotted(o.path), o.env);
      if (o.also !== undefined) {
        setIn(data as Record<string, unknown>, o.also.path, o.also.value);
        fromEnv.set(dotted(o.also.path), o.env);
      }
    }
  }
  const whereOf = (path: readonly string[], key = false): string => {
    let env: string | undefined;
    for (let n = path.length; n > 0 && env === undefined; n--) env = fromEnv.get(dotted(path.slice(0, n)));
    return env !== undefined ? `environment ${env}` : position(input.file, located, path, key);
  };

  const validate = validatorFor(input.schema);
  if (!validate(data)) {
    const seen = new Set<string>();
    for (const err of validate.errors ?? []) {
      // `if` only says its `then` failed; the `then` error itself is reported.
      if (err.keyword === 'propertyNames' || err.keyword === 'oneOf' || err.keyword === 'if') continue;
      const e = explain(err, data);
      const issue = { where: whereOf(e.path, e.key), path: dotted(e.path), message: e.message };
      const id = `${issue.where} ${issue.path} ${issue.message}`;
      if (!seen.has(id) && !interpolationFailed.has(issue.where)) issues.push(issue);
      seen.add(id);
    }
    return { ok: false, issues: sortIssues(issues) };
  }
  if (issues.length > 0) return { ok: false, issues };
  for (const s of input.check?.(data as T) ?? []) issues.push({ where: whereOf(s.path, s.key), path: dotted(s.path), message: s.message });
  if (issues.length > 0) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, value: deepFreeze(data as T) };
}
