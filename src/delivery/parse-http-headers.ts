// Request headers from config: a mapping (name → value), or the `name=value,name2=value2` list of
// OTEL_EXPORTER_OTLP_HEADERS (values percent-encoded, blank entries ignored, names lowercased).
// A name must be an HTTP token (RFC 9110) and not one the forwarder sets itself; a value may not
// hold CR, LF or other characters a header cannot carry. Undici would refuse such a header on
// every request, and the list form used to drop a malformed entry (`authorization: Bearer x`)
// without a word. Problems never repeat a value (header values are credentials) and show a name
// only when it is a valid token. Pure.

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Set by the sinks or the HTTP client for each request (body type, length, encoding, connection). */
const RESERVED = new Set(['host', 'content-length', 'content-type', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect']);

const LIST_FORM = 'write name=value pairs separated by commas, as in OTEL_EXPORTER_OTLP_HEADERS (percent-encode "," "=" and "%" in a value)';

export type HeadersResult = { ok: true; headers: Record<string, string> } | { ok: false; problems: string[] };

/** Why a header value cannot be sent (undefined: it can). Never includes the value. */
export function headerValueProblem(value: string): string | undefined {
  return FIELD_VALUE.test(value) ? undefined : 'holds CR, LF or another character a header value cannot carry (control characters, or beyond U+00FF)';
}

function nameProblem(name: string, entry: string): string | undefined {
  if (!TOKEN.test(name)) return `${entry}: the header name is not an HTTP token (letters, digits and !#$%&'*+-.^_\`|~ only; the name is not shown)`;
  if (RESERVED.has(name.toLowerCase())) return `${entry}: header "${name}" is set by the forwarder for each request; remove it`;
  return undefined;
}

function fromList(list: string): HeadersResult {
  const headers: Record<string, string> = {};
  const problems: string[] = [];
  list.split(',').forEach((raw, i) => {
    const pair = raw.trim();
    if (pair === '') return;
    const entry = `entry ${i + 1}`;
    const at = pair.indexOf('=');
    if (at < 0) {
      const colon = /^([^:\s]+)\s*:/.exec(pair)?.[1];
      const shown = colon !== undefined && TOKEN.test(colon) ? ` ("${colon}: …")` : '';
      return void problems.push(`${entry}${shown} is not name=value: ${LIST_FORM}`);
    }
    const name = pair.slice(0, at).trim();
    if (name === '') return void problems.push(`${entry} has no header name before "="`);
    const bad = nameProblem(name, entry);
    if (bad !== undefined) return void problems.push(bad);
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      return void problems.push(`${entry}: the value of header "${name}" is not valid percent-encoding (a "%" starts %XX with two hex digits; write %25 for "%")`);
    }
    const valueProblem = headerValueProblem(value);
    if (valueProblem !== undefined) return void problems.push(`${entry}: the value of header "${name}" ${valueProblem}`);
    headers[name.toLowerCase()] = value;
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, headers };
}

function fromMapping(mapping: Readonly<Record<string, string>>): HeadersResult {
  const problems: string[] = [];
  Object.entries(mapping).forEach(([name, value], i) => {
    const entry = `entry ${i + 1}`;
    const bad = nameProblem(name, entry);
    if (bad !== undefined) return void problems.push(bad);
    const valueProblem = headerValueProblem(value);
    if (valueProblem !== undefined) problems.push(`${entry}: the value of header "${name}" ${valueProblem}`);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, headers: { ...mapping } };
}

export function parseHttpHeaders(headers: Readonly<Record<string, string>> | string): HeadersResult {
  return typeof headers === 'string' ? fromList(headers) : fromMapping(headers);
}
