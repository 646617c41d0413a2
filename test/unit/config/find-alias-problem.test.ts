import { expect } from 'chai';
import { parseDocument } from 'yaml';
import { findAliasProblem } from '../../../src/config/find-alias-problem.ts';

const problem = (text: string, max?: number): string | undefined => findAliasProblem(parseDocument(text), max)?.message;

describe('findAliasProblem', () => {
  it('accepts anchors used after they are defined', () => {
    expect(problem('a: &x {k: 1}\nb: *x\nc: *x\n')).to.equal(undefined);
  });

  it('refuses an alias with no anchor before it, naming it', () => {
    expect(problem('b: *x\na: &x 1\n')).to.match(/^alias \*x has no anchor &x before it/);
  });

  it('refuses an alias inside the value it names', () => {
    expect(problem('a: &x\n  b: *x\n')).to.match(/^alias \*x is inside the value anchored as &x/);
  });

  it('refuses nested expansions that multiply past the limit (an alias bomb), and not below it', () => {
    const bomb = 'a: &a [1, 1, 1]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nd: [*c, *c, *c]\n';
    expect(problem(bomb, 10)).to.match(/^too many alias expansions at \*/);
    expect(problem(bomb, 1000)).to.equal(undefined);
  });
});
