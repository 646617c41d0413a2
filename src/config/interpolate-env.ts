// `${VAR}` and `${VAR:-default}` in YAML string values; `$${` stands for a literal `${`. Pure.

export type Interpolation =
  | { ok: true; value: string }
  | { ok: false; message: string };

const REF = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolateEnv(text: string, env: Readonly<Record<string, string | undefined>>): Interpolation {
  let problem: string | undefined;
  const value = text.replace(REF, (match, inner: string | undefined) => {
    if (match === '$${') return '${';
    const body = inner ?? '';
    const sep = body.indexOf(':-');
    const name = sep === -1 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      problem ??= `invalid reference "\${${body}}": expected \${NAME} or \${NAME:-default}`;
      return '';
    }
    const set = env[name];
    if (set !== undefined && (set !== '' || sep === -1)) return set;
    if (sep !== -1) return body.slice(sep + 2);
    problem ??= `environment variable ${name} is not set (write \${${name}:-default} to give a default)`;
    return '';
  });
  return problem === undefined ? { ok: true, value } : { ok: false, message: problem };
}
