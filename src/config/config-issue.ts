// A problem found in a config file, as every config loader reports it: where (file:line:col, or the
// environment variable), the dotted key path and what is wrong; sorted in file order and printed
// one a line. Pure.

export interface ConfigIssue {
  /** `file:line:col`, or `environment NAME` for a value that came from an override. */
  where: string;
  /** Dotted key path, `(root)` for the whole document. */
  path: string;
  message: string;
}

export type ConfigResult<T> = { ok: true; value: T } | { ok: false; issues: ConfigIssue[] };

export interface SemanticIssue {
  path: readonly string[];
  message: string;
  /** Point at the key rather than its value (e.g. a value that must not be shown). */
  key?: boolean;
}

function sortKey(issue: ConfigIssue): [number, number] {
  const m = /:([0-9]+):([0-9]+)$/.exec(issue.where);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** Issues in the order they appear in the file (environment overrides first). */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => {
    const [la, ca] = sortKey(a);
    const [lb, cb] = sortKey(b);
    return la - lb || ca - cb;
  });
}

export function formatConfigIssue(issue: ConfigIssue): string {
  return `${issue.where}: ${issue.path}: ${issue.message}`;
}
