// YAML aliases that `Document.toJS()` would refuse (it throws) or turn into a cycle: an alias with
// no anchor before it, an alias inside the value it names, and aliases that expand the document
// past the yaml library's limit against "billion laughs" documents (an anchored value may be
// copied at most 100 times, nested copies multiplying). Found before conversion, so the loader can
// point at the alias instead of crashing. The expansion count follows the library's own rule
// (yaml 2: `maxAliasCount`, count × nested alias count per anchor). Pure.
import { isAlias, isCollection, isPair, visit, type Alias, type Document, type Node } from 'yaml';

/** yaml's default `maxAliasCount` (`Document.toJS()`). */
export const MAX_ALIAS_COUNT = 100;

export interface AliasProblem {
  alias: Alias;
  message: string;
}

interface AnchorUse {
  /** 1 for the anchored value itself, +1 per alias resolved to it. */
  count: number;
  /** Copies one use makes: the largest nested expansion (1 for a scalar); 0 until first used. */
  aliasCount: number;
}

export function findAliasProblem(doc: Document, maxAliasCount = MAX_ALIAS_COUNT): AliasProblem | undefined {
  const latest = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  const uses = new Map<Node, AnchorUse>();
  const expansion = (node: unknown): number => {
    if (isAlias(node)) {
      const target = targets.get(node);
      const use = target === undefined ? undefined : uses.get(target);
      return use === undefined ? 0 : use.count * use.aliasCount;
    }
    if (isPair(node)) return Math.max(expansion(node.key), expansion(node.value));
    if (isCollection(node)) {
      let most = 0;
      for (const item of node.items) most = Math.max(most, expansion(item));
      return most;
    }
    return 1;
  };
  let problem: AliasProblem | undefined;
  visit(doc, {
    Node(_key, node, path) {
      if (!isAlias(node)) {
        if (node.anchor !== undefined) latest.set(node.anchor, node);
        return undefined;
      }
      const name = node.source;
      const target = latest.get(name);
      if (target === undefined) {
        problem = { alias: node, message: `alias *${name} has no anchor &${name} before it: define the value with &${name} first` };
        return visit.BREAK;
      }
      if (path.includes(target)) {
        problem = { alias: node, message: `alias *${name} is inside the value anchored as &${name} (a value cannot contain itself): write the inner value out` };
        return visit.BREAK;
      }
      targets.set(node, target);
      const use = uses.get(target) ?? { count: 1, aliasCount: 0 };
      uses.set(target, use);
      use.count += 1;
      if (use.aliasCount === 0) use.aliasCount = expansion(target);
      if (use.count * use.aliasCount > maxAliasCount) {
        problem = {
          alias: node,
          message: `too many alias expansions at *${name}: the document's aliases copy an anchored value more than ${maxAliasCount} times (nested copies multiply), which YAML readers refuse as an alias bomb; write the repeated values out or use fewer aliases`,
        };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return problem;
}
