// Our Makefile targets live in one marked block: a new repository gets just the block, an existing Makefile
// keeps every line of its own and gets the block appended (or replaced in place on a re-run).
import { replaceBlock, splitBlock, type Markers } from './marked-block.js';

export const MAKE_BLOCK_START = '# >>> chalice-pipeline: generated block, re-running the generator replaces it >>>';
export const MAKE_BLOCK_END = '# <<< chalice-pipeline <<<';

export const MAKE_TARGETS = [
  'help', 'venv', 'test', 'integration-test', 'package', 'lint', 'target-account', 'deploy', 'outputs', 'status', 'remote', 'push',
  'destroy', 'ci-access',
] as const;
export type MakeTarget = (typeof MAKE_TARGETS)[number];
export type MakeTargets = Record<MakeTarget, string>;

/**
 * Our target names: the plain name, or `pipeline-<name>` where the user's Makefile already has that target
 * (`chalice-pipeline-<name>` in the unlikely case that one is taken too: two rules of one name merge their recipes).
 */
export function targetNames(userTargets: ReadonlySet<string> = new Set()): { targets: MakeTargets; renamed: MakeTarget[] } {
  const targets = {} as MakeTargets;
  const renamed: MakeTarget[] = [];
  for (const name of MAKE_TARGETS) {
    const taken = userTargets.has(name);
    targets[name] = !taken ? name : userTargets.has(`pipeline-${name}`) ? `chalice-pipeline-${name}` : `pipeline-${name}`;
    if (taken) renamed.push(name);
  }
  return { targets, renamed };
}

export const MAKE_MARKERS: Markers = { file: 'Makefile', start: MAKE_BLOCK_START, end: MAKE_BLOCK_END };

/** Split a Makefile into the user's lines and our block (if a previous run left one). */
export function splitMakefile(text: string): { before: string; block?: string; after: string } {
  return splitBlock(text, MAKE_MARKERS);
}

// `NAME = x`, `NAME := x`, `NAME ::= x`, `NAME :::= x`, `NAME ?= x`, `NAME += x`, `NAME != cmd`, with export/override.
const ASSIGNMENT = /^\s*(?:(?:export|override)\s+)*([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:\?|\+|!|:{1,3})?=/;
const DEFINE = /^\s*(?:(?:export|override)\s+)*define\s+([A-Za-z_][A-Za-z0-9_.-]*)/;

/** The user's lines that make reads as statements: no recipe lines, continuation lines or `define` bodies. */
function statementLines(text: string): string[] {
  const { before, after } = splitMakefile(text);
  const lines: string[] = [];
  let inDefine = false;
  let continued = false;
  for (const raw of `${before}\n${after}`.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const wasContinued = continued;
    continued = line.endsWith('\\');
    if (inDefine) inDefine = !/^\s*endef\b/.test(line);
    else if (!wasContinued && !line.startsWith('\t')) {
      inDefine = DEFINE.test(line);
      lines.push(line);
    }
  }
  return lines;
}

/** Targets the user's own lines define (rules `name:` or `name ::`, not variable assignments). */
export function userTargets(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of statementLines(text)) {
    if (ASSIGNMENT.test(line) || DEFINE.test(line)) continue;
    const match = /^([A-Za-z0-9_.\-/ ]+?)\s*::?(?!=)/.exec(line);
    if (!match) continue;
    for (const name of match[1].trim().split(/\s+/)) if (!name.startsWith('.')) names.add(name);
  }
  return names;
}

/** Variables the user's lines define or read (`$(NAME)`, `${NAME}`): ours must not change their value. */
export function userVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of statementLines(text)) {
    const defined = ASSIGNMENT.exec(line)?.[1] ?? DEFINE.exec(line)?.[1];
    if (defined) names.add(defined);
  }
  // Recipes read variables too, so look at every user line for references.
  const { before, after } = splitMakefile(text);
  for (const match of `${before}\n${after}`.matchAll(/\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g)) names.add(match[1]);
  return names;
}

/** Variables our block assigns. */
function blockVariables(block: string): string[] {
  return block.split('\n').map((line) => ASSIGNMENT.exec(line)?.[1]).filter((name): name is string => name !== undefined);
}

/**
 * Our variables that the user's Makefile already uses, each with the name ours gets instead (`PIPELINE_<NAME>`).
 * Make variables are global: our `STACK ?= app-pipeline` would otherwise be theirs too (or theirs ours, and
 * `make deploy` would deploy the pipeline template over their own stack).
 */
export function renamedVariables(existing: string, block: string): Map<string, string> {
  const theirs = userVariables(existing);
  const renamed = new Map<string, string>();
  for (const name of blockVariables(block)) if (theirs.has(name)) renamed.set(name, `PIPELINE_${name}`);
  return renamed;
}

function renameVariables(block: string, renamed: ReadonlyMap<string, string>): string {
  let text = block;
  for (const [name, next] of renamed) text = text.replace(new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`, 'g'), next);
  return text;
}

export const TEAM_SECTION = `
# Your own targets and variables: below this line (or above the block). chalice-pipeline changes only the lines
# between its markers, so these survive every re-run without --force.
`;

/** The user's Makefile with our block replaced in place, or appended after their lines. */
export function mergeMakefile(existing: string, block: string): string {
  const ours = renameVariables(block, renamedVariables(existing, block));
  const replaced = replaceBlock(existing, ours, MAKE_MARKERS);
  if (replaced !== undefined) return replaced;
  // A new Makefile says where the team's own targets go: outside the block, which re-runs never touch.
  if (existing === '') return ours + TEAM_SECTION;
  const separator = existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  return existing + separator + ours;
}
