// Every file is parsed after rendering and before writing: a broken file is a bug we refuse to write.
import { parse as parseYaml } from 'yaml';
import { MAKE_MARKERS } from './makefile.js';
import { splitBlock } from './marked-block.js';

export class RenderError extends Error {
  readonly exitCode = 1;
  constructor(readonly path: string, problem: string) {
    super(`internal error: the rendered ${path} is broken (${problem}); nothing was written. Please report this.`);
    this.name = 'RenderError';
  }
}

const PHASES = ['install', 'pre_build', 'build', 'post_build'];
const TOP_LEVEL = ['version', 'run-as', 'env', 'proxy', 'batch', 'phases', 'reports', 'artifacts', 'cache'];
const REPORT_FORMATS = ['JUNITXML', 'CUCUMBERJSON', 'TESTNGXML', 'VISUALSTUDIOTRX', 'NUNITXML', 'NUNIT3XML', 'CLOVERXML', 'COBERTURAXML', 'JACOCOXML', 'SIMPLECOV'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringList = (value: unknown) => Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');

/** Problems with a parsed buildspec against the documented 0.2 format (no official schema exists). */
export function buildspecProblems(spec: unknown): string[] {
  if (!isObject(spec)) return ['not a mapping'];
  const problems: string[] = [];
  if (spec.version !== 0.2) problems.push('version must be 0.2');
  for (const key of Object.keys(spec)) if (!TOP_LEVEL.includes(key)) problems.push(`unknown top-level key ${key}`);
  if (!isObject(spec.phases)) return [...problems, 'phases must be a mapping'];
  for (const [name, phase] of Object.entries(spec.phases)) {
    if (!PHASES.includes(name)) problems.push(`unknown phase ${name}`);
    if (!isObject(phase) || !isStringList(phase.commands)) problems.push(`phase ${name} needs a list of string commands`);
    const runtimes = isObject(phase) ? phase['runtime-versions'] : undefined;
    if (runtimes !== undefined && (!isObject(runtimes) || Object.values(runtimes).some((v) => typeof v !== 'string'))) {
      problems.push('runtime-versions values must be quoted strings ("3.10", not 3.1)');
    }
  }
  if (isObject(spec.env) && isObject(spec.env.variables)) {
    for (const [name, value] of Object.entries(spec.env.variables)) if (typeof value !== 'string') problems.push(`env variable ${name} must be a string`);
  }
  if (spec.reports !== undefined) {
    if (!isObject(spec.reports)) problems.push('reports must be a mapping');
    else for (const [name, group] of Object.entries(spec.reports)) {
      if (!isObject(group) || !isStringList(group.files) || !REPORT_FORMATS.includes(String(group['file-format']))) {
        problems.push(`report group ${name} needs files and a known file-format`);
      }
    }
  }
  if (spec.artifacts !== undefined && (!isObject(spec.artifacts) || !isStringList(spec.artifacts.files))) problems.push('artifacts.files must be a list');
  if (spec.cache !== undefined && (!isObject(spec.cache) || !isStringList(spec.cache.paths))) problems.push('cache.paths must be a list');
  return problems;
}

function checkMakefile(text: string): string | undefined {
  const block = splitBlock(text, MAKE_MARKERS).block;
  if (block === undefined) return 'the generated block markers are missing';
  const badRecipe = block.split('\n').find((line) => /^ {2,}\S/.test(line));
  return badRecipe ? `a recipe line is indented with spaces: ${badRecipe.trim()}` : undefined;
}

/** Parse one rendered file by its kind; throws RenderError naming the file and the problem. */
export function checkRenderedFile(path: string, contents: string): void {
  const name = path.split('/').at(-1)!;
  let problem: string | undefined;
  try {
    if (name.endsWith('.json')) JSON.parse(contents);
    else if (/\.ya?ml$/.test(name)) {
      const parsed = parseYaml(contents);
      if (name.startsWith('buildspec')) problem = buildspecProblems(parsed).join('; ') || undefined;
    } else if (name === 'Makefile') problem = checkMakefile(contents);
  } catch (error) {
    problem = (error as Error).message.split('\n')[0];
  }
  if (problem) throw new RenderError(path, problem);
}
