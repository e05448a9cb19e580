// The layout tells the flow: lib/ is grouped by step, each folder says what it owns, and imports only run downward
// (facts <- answers <- cloudformation <- repository <- run <- generators/bin/scripts), with no cycle anywhere.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from './support/tools.js';

/** Lower steps first: a file may import its own step or any step before it. */
const STEPS = ['lib/facts', 'lib/answers', 'lib/cloudformation', 'lib/repository', 'lib/run', 'generators', 'bin', 'scripts'];

function sources(folder: string): string[] {
  return readdirSync(join(PACKAGE_ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of one source file (static, type-only and dynamic), as repository paths of .ts files. */
export function importsOf(path: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((spec) => normalize(join(dirname(path), spec)).replace(/\.js$/, '.ts'));
}

function stepOf(path: string): number {
  const index = STEPS.findIndex((step) => path === step || path.startsWith(`${step}/`));
  assert.notEqual(index, -1, `${path} is in no step of the flow (${STEPS.join(', ')})`);
  return index;
}

const FILES = STEPS.flatMap(sources);
const GRAPH = new Map(FILES.map((file) => [file, importsOf(file, readFileSync(join(PACKAGE_ROOT, file), 'utf8'))]));

/** An import cycle as a path list, or undefined. */
export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, trail: string[]): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'open') return [...trail.slice(trail.indexOf(file)), file];
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next, [...trail, file]);
      if (cycle) return cycle;
    }
    state.set(file, 'done');
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('layout', () => {
  it('every lib file lives in a step folder, never at the top of lib/', () => {
    const loose = readdirSync(join(PACKAGE_ROOT, 'lib')).filter((name) => statSync(join(PACKAGE_ROOT, 'lib', name)).isFile() && name.endsWith('.ts'));
    assert.deepEqual(loose, []);
  });

  it('imports only run to the same or an earlier step', () => {
    const upward = [...GRAPH].flatMap(([file, targets]) =>
      targets.filter((target) => stepOf(target) > stepOf(file)).map((target) => `${file} -> ${target}`));
    assert.deepEqual(upward, []);
  });

  it('every import names a file that exists', () => {
    const missing = [...GRAPH].flatMap(([file, targets]) => targets.filter((t) => !existsSync(join(PACKAGE_ROOT, t))).map((t) => `${file} -> ${t}`));
    assert.deepEqual(missing, []);
  });

  it('has no import cycle', () => {
    assert.equal(findCycle(GRAPH)?.join(' -> '), undefined);
  });

  it('each lib folder says what it owns and holds about ten files at most', () => {
    for (const step of STEPS.filter((s) => s.startsWith('lib/'))) {
      const readme = join(PACKAGE_ROOT, step, 'README.md');
      assert.ok(existsSync(readme), `${step} has no README.md saying what it owns`);
      assert.match(readFileSync(readme, 'utf8'), new RegExp(`^# ${step}: \\S`), `${relative(PACKAGE_ROOT, readme)} starts with "# ${step}: <what it owns>"`);
    }
    const folders = [...new Set(FILES.filter((f) => f.startsWith('lib/')).map(dirname))];
    for (const folder of folders) {
      const count = FILES.filter((f) => dirname(f) === folder).length;
      assert.ok(count <= 12, `${folder} holds ${count} files: split it by what its files own`);
    }
  });

  it('the checks themselves can fail: an upward import and a cycle are found', () => {
    assert.ok(stepOf('lib/run/x.ts') > stepOf('lib/answers/y.ts'));
    assert.deepEqual(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a']);
    assert.deepEqual(importsOf('lib/run/x.ts', "import { a } from '../answers/y.js';\nconst m = await import('./z.js');"),
      ['lib/answers/y.ts', 'lib/run/z.ts']);
  });
});
