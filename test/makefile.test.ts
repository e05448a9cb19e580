// lib/repository/makefile.ts on hand-written Makefiles: which targets and variables are the user's, what ours are
// named then, and how our block is merged (appended, replaced in place, renamed). Fast: no process; the generated
// Makefile run by make is in pipeline-generator.test.ts. `npm run mutate` runs it against makefile.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAKE_BLOCK_END, MAKE_BLOCK_START, MAKE_TARGETS, TEAM_SECTION, mergeMakefile, renamedVariables, splitMakefile, targetNames, userTargets, userVariables,
} from '../lib/repository/makefile.js';

const block = (...lines: string[]) => `${MAKE_BLOCK_START}\n${lines.join('\n')}\n${MAKE_BLOCK_END}\n`;
const sorted = (names: Set<string>) => [...names].sort();

describe('our target names', () => {
  it('the plain names when the user has none of them', () => {
    const { targets, renamed } = targetNames();
    assert.deepEqual(Object.values(targets), [...MAKE_TARGETS]);
    assert.deepEqual(renamed, []);
    assert.deepEqual(targetNames(new Set(['clean', 'pipeline-deploy'])).renamed, [], 'targets we do not have are no conflict');
    assert.equal(targetNames(new Set(['pipeline-deploy'])).targets.deploy, 'deploy');
  });

  it('pipeline-<name> where the user has <name>; chalice-pipeline-<name> where pipeline-<name> is taken too', () => {
    const { targets, renamed } = targetNames(new Set(['deploy', 'test', 'pipeline-test', 'help']));
    assert.equal(targets.deploy, 'pipeline-deploy');
    assert.equal(targets.test, 'chalice-pipeline-test');
    assert.equal(targets.help, 'pipeline-help');
    assert.equal(targets.package, 'package');
    assert.deepEqual(renamed, ['help', 'test', 'deploy'], 'in the order of our targets');
  });
});

describe('the user\'s targets', () => {
  it('rules with one or two colons, several names per rule, paths; not special targets, assignments or our block', () => {
    const text = [
      '.PHONY: a b', 'a b: c', 'c::', '\tc-recipe', 'dist/app.zip : app.py', 'x := 1', 'y ::= 2', 'z :::= 3', 'w = 4', 'v ?= 5', 'u += 6', 't != date',
      'export s := 7', 'override r = 8', 'export q', 'p: ; @true', 'o: STAGE = prod', '',
      block('ours:', '\t@true'),
      'after-block:', '',
    ].join('\n');
    assert.deepEqual(sorted(userTargets(text)), ['a', 'after-block', 'b', 'c', 'dist/app.zip', 'o', 'p']);
  });

  it('skips recipe lines, continuation lines and define bodies; CRLF lines count', () => {
    const text = [
      'define TEMPLATE', 'inside: x', 'endef', 'export define MORE', 'inside-too: y', 'endef',
      'LIST = a \\', 'continued: b', '', '\tnot-a-rule: c', 'real:\r', '\t@true\r', 'crlf-rule: dep\r', '',
    ].join('\n');
    assert.deepEqual(sorted(userTargets(text)), ['crlf-rule', 'real']);
  });

  it('define blocks end at their endef only (indented or not, CRLF too), however long; recipe lines never start one', () => {
    assert.deepEqual(sorted(userTargets('define T\nfirst\nsecond: x\n  echo not the endef here\nthird: y\nendef\nafter:\n')), ['after']);
    assert.deepEqual(sorted(userTargets('  define T\ninside: x\n  endef\nafter:\n')), ['after']);
    assert.deepEqual(sorted(userTargets('define  T\ninside: x\nendef\noverride  define U\ninside-too: y\nendef\nafter:\n')), ['after']);
    assert.deepEqual(sorted(userTargets('define T\r\ninside: x\r\nendef\r\nafter:\r\n')), ['after']);
    assert.deepEqual(sorted(userTargets('NOTE = we define nothing here\nafter:\n')), ['after']);
    assert.deepEqual(sorted(userTargets('r:\n\tdefine NOT_A_DEFINE\nafter:\n')), ['after', 'r']);
  });

  it('names are split on any run of spaces; indented rules count; targets named through variables are not read', () => {
    assert.deepEqual(sorted(userTargets('a  b: c\n  indented: x\n')), ['a', 'b', 'indented']);
    assert.deepEqual(sorted(userTargets('$(BUILD)/app.zip: app.py\n')), []);
  });

  it('a target after an ended define or a finished continuation counts', () => {
    assert.deepEqual(sorted(userTargets('define X\nbody\nendef\nafter: x\n')), ['after']);
    assert.deepEqual(sorted(userTargets('A = 1 \\\n  2\nafter:\n')), ['after']);
    assert.deepEqual(sorted(userTargets('')), []);
  });
});

describe('the user\'s variables', () => {
  it('those the user\'s lines assign (every flavour, export and override) or read in $(X) and ${X}', () => {
    const text = [
      'A = 1', 'B := 2', 'C ::= 3', 'D :::= 4', 'E ?= 5', 'F += 6', 'G != date', 'export H := 7', 'override I = 8', 'export override J = 9',
      'define K', 'body $(L)', 'endef', 'rule:', '\techo $(M) ${N} $$O $(P', '',
      block('OURS ?= x', 'd:', '\t$(OURS) $(Q)'),
    ].join('\n');
    assert.deepEqual(sorted(userVariables(text)), ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N']);
  });

  it('assignments with any spacing, long define names, CRLF lines; not the assignments of a recipe', () => {
    const text = 'A=1\nB  = 2\nexport  C := 3\noverride  D = 4\ndefine TEMPLATE_BODY\nendef\ndefine CRLF_NAME\r\nendef\r\nr:\n\tRECIPE_ONLY = 5\n';
    assert.deepEqual(sorted(userVariables(text)), ['A', 'B', 'C', 'CRLF_NAME', 'D', 'TEMPLATE_BODY']);
  });

  it('ours that the user uses are renamed PIPELINE_<NAME>, in our block\'s order; the others keep their names', () => {
    const ours = block('REGION ?= us-east-1', 'STACK := x', 'BRANCH ?= main', 'export PYTHON ?= python3', 'd:', '\t$(REGION) $(STACK)');
    const renamed = renamedVariables('PYTHON = python3.12\nall:\n\techo $(STACK) ${REGION}\n', ours);
    assert.deepEqual([...renamed], [['REGION', 'PIPELINE_REGION'], ['STACK', 'PIPELINE_STACK'], ['PYTHON', 'PIPELINE_PYTHON']]);
    assert.deepEqual([...renamedVariables('', ours)], []);
  });
});

describe('merging our block', () => {
  const ours = block('STACK ?= orders-pipeline', 'deploy:', '\tdeploy $(STACK) $(STACKS) $(MY_STACK) STACK_NAME');

  it('appended after the user\'s lines with one blank line, whatever their ending', () => {
    // A new Makefile also says where the team's own targets go (the section after our block).
    assert.equal(mergeMakefile('', ours), ours + TEAM_SECTION);
    assert.match(TEAM_SECTION, /^\n# Your own targets and variables: below this line/);
    assert.equal(mergeMakefile('a:\n', ours), `a:\n\n${ours}`);
    assert.equal(mergeMakefile('a:\n\n', ours), `a:\n\n${ours}`);
    assert.equal(mergeMakefile('a:', ours), `a:\n\n${ours}`);
  });

  it('a block already there is replaced in place, the user\'s lines around it kept byte for byte', () => {
    const existing = `top:\n\n${block('old')}bottom:\n`;
    assert.equal(mergeMakefile(existing, ours), `top:\n\n${ours}bottom:\n`);
    assert.equal(mergeMakefile(mergeMakefile(existing, ours), ours), `top:\n\n${ours}bottom:\n`);
  });

  it('a variable of ours the user uses is renamed as a whole word only', () => {
    const merged = mergeMakefile('STACK = mine\n', ours);
    assert.equal(merged, `STACK = mine\n\n${block('PIPELINE_STACK ?= orders-pipeline', 'deploy:', '\tdeploy $(PIPELINE_STACK) $(STACKS) $(MY_STACK) STACK_NAME')}`);
  });

  it('splitMakefile: the user\'s lines before and after our block', () => {
    const { before, block: found, after } = splitMakefile(`a:\n${block('x')}b:\n`);
    assert.deepEqual([before, found, after], ['a:\n', block('x'), 'b:\n']);
    assert.deepEqual(splitMakefile('a:\n'), { before: 'a:\n', after: '' });
    assert.throws(() => splitMakefile(`a:\n${MAKE_BLOCK_START}\nx\n`), { message: /^Makefile: found "# >>> chalice-pipeline: .*" without its end marker "# <<< chalice-pipeline <<<"; restore the end marker/ });
  });
});
