// The Markdown configuration reference (docs/configuration.md), generated from the JSON Schemas
// of forwarder.yaml and sinks.yaml and from the environment overrides. Pure and deterministic:
// sections, tables and rows follow schema order. Regenerate with `npm run docs:config`.
import { sinksConfigSchema } from '../sinks/sinks-config.ts';
import { forwarderConfigSchema } from './forwarder-config.ts';
import { FORWARDER_ENV_OVERRIDES } from './load-config.ts';

/** The subset of JSON Schema the config schemas use. */
interface Schema {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: boolean | Schema;
  readonly propertyNames?: { readonly pattern?: string };
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly oneOf?: readonly Schema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly minLength?: number;
  readonly minProperties?: number;
  readonly minItems?: number;
  readonly pattern?: string;
  readonly writeOnly?: boolean;
}

const NAME = '<name>';
const HEADER = ['| key | type | default | bounds | description |', '| --- | --- | --- | --- | --- |'];

const code = (value: string): string => `\`${value}\``;
const cell = (text: string): string => text.replace(/\|/g, '\\|');
/** Prose for a table cell: `<` and `>` outside code spans would read as HTML tags. */
const prose = (text: string): string => text.split(/(`[^`]*`)/).map((p, i) => (i % 2 === 1 ? p : p.replace(/</g, '&lt;').replace(/>/g, '&gt;'))).join('');

function typeOf(s: Schema): string {
  if (s.const !== undefined) return code(String(s.const));
  if (s.enum !== undefined) return `one of ${s.enum.map((v) => code(String(v))).join(', ')}`;
  if (s.oneOf !== undefined) return `one of ${s.oneOf.map((b) => typeOf(b.properties?.type ?? {})).join(', ')}`;
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  if (s.type === 'object') return 'mapping';
  if (Array.isArray(s.type)) return s.type.join(' or ');
  return (s.type as string | undefined) ?? 'any';
}

function boundsOf(s: Schema): string {
  const parts: string[] = [];
  if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) parts.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined) parts.push(`length ≥ ${s.minLength}`);
  if (s.pattern !== undefined) parts.push(`pattern ${code(s.pattern)}`);
  if (s.propertyNames?.pattern !== undefined) parts.push(`names match ${code(s.propertyNames.pattern)}`);
  if (s.minProperties !== undefined) parts.push(`at least ${s.minProperties} ${s.minProperties === 1 ? 'entry' : 'entries'}`);
  if (s.minItems !== undefined) parts.push(`at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
  const items = s.items ? boundsOf(s.items) : '—';
  if (items !== '—') parts.push(`each item ${items}`);
  return parts.length === 0 ? '—' : parts.join(', ');
}

function fallbackDescription(path: readonly string[], s: Schema): string {
  if (s.const !== undefined) return `Always ${code(String(s.const))} for this type.`;
  if (path[path.length - 1] === NAME) return `One entry of ${code(path.slice(0, -1).join('.'))}, under a name you choose.`;
  return '';
}

function row(path: readonly string[], s: Schema, required: boolean): string {
  const def = s.default !== undefined ? code(JSON.stringify(s.default)) : required ? 'required' : '—';
  const description = `${s.writeOnly === true ? '**secret** — ' : ''}${prose(s.description ?? fallbackDescription(path, s))}`;
  return `| ${[code(path.join('.')), typeOf(s), def, boundsOf(s), description].map(cell).join(' | ')} |`;
}

/** Rows for every key below `s` (its own properties, then map entries as `<name>`), depth first. */
function rowsBelow(path: readonly string[], s: Schema): string[] {
  const rows: string[] = [];
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    const childPath = [...path, key];
    rows.push(row(childPath, child, s.required?.includes(key) === true), ...rowsBelow(childPath, child));
  }
  // A list of mappings: its items' keys as `list[].key`.
  if (s.items?.properties !== undefined) {
    const last = path[path.length - 1] ?? '';
    rows.push(...rowsBelow([...path.slice(0, -1), `${last}[]`], s.items));
  }
  if (typeof s.additionalProperties === 'object' && s.additionalProperties.oneOf === undefined) {
    const entry = [...path, NAME];
    rows.push(row(entry, s.additionalProperties, false), ...rowsBelow(entry, s.additionalProperties));
  }
  return rows;
}

function paragraph(text: string | undefined): string[] {
  return text === undefined ? [] : [prose(text), ''];
}

function forwarderSection(): string[] {
  const root: Schema = forwarderConfigSchema;
  const out = ['## forwarder.yaml', ''];
  for (const [key, s] of Object.entries(root.properties ?? {})) {
    const section = s.type === 'object';
    out.push(`### ${code(key)}`, '', ...paragraph(section ? s.description : undefined), ...HEADER);
    out.push(...(section ? rowsBelow([key], s) : [row([key], s, root.required?.includes(key) === true)]), '');
  }
  return out;
}

function sinksSection(): string[] {
  const root: Schema = sinksConfigSchema;
  const out = ['## sinks.yaml', ''];
  for (const [key, s] of Object.entries(root.properties ?? {})) {
    const entry = typeof s.additionalProperties === 'object' ? s.additionalProperties : {};
    const entryPath = [key, NAME];
    out.push(`### ${code(key)}`, '', ...HEADER, row([key], s, root.required?.includes(key) === true), ...rowsBelow([key], s));
    // Sink types: the entry's `type` picks one of them, each documented in its own table.
    if (entry.oneOf !== undefined) out.push(row(entryPath, { ...entry, oneOf: undefined }, false), row([...entryPath, 'type'], { ...entry.properties?.type, oneOf: entry.oneOf }, true));
    out.push('');
    for (const variant of entry.oneOf ?? []) {
      out.push(`#### ${code(String(variant.properties?.type?.const))}`, '', ...paragraph(variant.description), ...HEADER, ...rowsBelow(entryPath, variant), '');
    }
  }
  return out;
}

function introSection(): string[] {
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from the JSON Schemas by src/config/config-reference.ts: run `npm run docs:config`, do not edit by hand. -->',
    '',
    'The forwarder reads two YAML files: `forwarder.yaml` (listener, Zoom apps, bus, workers, observability;',
    '`--config`, default `config/forwarder.yaml`) and `sinks.yaml` (where events go; `--sinks`, default',
    '`config/sinks.yaml`). Check both without starting anything: `npx qss-forwarder validate` prints every',
    'problem with file:line:column and exits 1 if there is any. Unknown keys are errors; left-out keys take',
    'the default shown below.',
    '',
    'String values may use environment variables: `${VAR}` (an error if `VAR` is not set) and',
    '`${VAR:-default}` (the default when `VAR` is unset or empty). Write `$${` for a literal `${`. An',
    'unquoted value is read as YAML after substitution, so `port: ${PORT:-8080}` is an integer.',
    '',
    'These environment variables, when set and not empty, override the key whatever the file says:',
    '',
    '| variable | key |',
    '| --- | --- |',
    ...FORWARDER_ENV_OVERRIDES.map((o) => `| ${code(o.env)} | ${code(o.path.join('.'))} |`),
    '',
    `In key paths, ${code(NAME)} stands for a name you choose (a map entry). Fields marked **secret** are`,
    'never printed in logs or validation messages.',
    '',
  ];
}

export function configReferenceMarkdown(): string {
  return [...introSection(), ...forwarderSection(), ...sinksSection()].join('\n').replace(/\n+$/, '\n');
}
