// Files built from data rather than templates, because an existing repository's copy is merged, not replaced:
// .chalice/config.json, .gitignore and requirements-dev.txt.
import { InputError } from '../answers/answers.js';
import type { Project } from '../answers/project.js';
import { inheritedSettings } from './chalice-stages.js';

export const GITIGNORE_LINES = [
  // Anchored (/reports/, /build/): a folder of that name deeper in the user's tree stays tracked.
  '.chalice/deployments/', '.chalice/venv/', '.venv/', '__pycache__/', '*.pyc', '.pytest_cache/', '/reports/', '/build/',
  // What a killed generator run leaves until the next run undoes it (lib/run/write/transaction.ts): never committed.
  '.*.chalice-pipeline-*', '.chalice-pipeline-*.json',
];

export function devRequirementLines(project: Project): string[] {
  return [`chalice${project.chaliceRange}`, 'pytest>=8.0,<10'];
}

interface ChaliceStage {
  api_gateway_stage?: string;
  environment_variables?: Record<string, string>;
  [key: string]: unknown;
}
export interface ChaliceConfig {
  version?: string;
  app_name?: string;
  stages?: Record<string, ChaliceStage>;
  [key: string]: unknown;
}

function stageConfig(stage: string): ChaliceStage {
  return stage === 'dev'
    ? { api_gateway_stage: 'api' }
    : { api_gateway_stage: 'api', environment_variables: { STAGE: stage } };
}

/** .chalice/config.json of a new app. */
export function newChaliceConfig(project: Project): ChaliceConfig {
  return {
    version: '2.0',
    app_name: project.appName,
    stages: Object.fromEntries(project.chaliceStages.map((stage) => [stage, stageConfig(stage)])),
  };
}

const withEnvironment = (stage: ChaliceStage, variables: Record<string, string>): ChaliceStage =>
  (Object.keys(variables).length > 0 ? { ...stage, environment_variables: variables } : stage);

/**
 * Add the stages the pipeline deploys; every existing key, value, stage and their order stay. `seedFrom` names a
 * stage the new ones start as a copy of (an old `chalice generate-pipeline` stack was built from dev's settings).
 */
export function mergeChaliceConfig(existing: ChaliceConfig, project: Project, seedFrom?: string): ChaliceConfig {
  const stages = { ...(existing.stages ?? {}) };
  const seed = seedFrom ? stages[seedFrom] : undefined;
  // Otherwise what every existing stage sets alike (lib/repository/chalice-stages.ts).
  const { settings, environment } = inheritedSettings(existing);
  for (const stage of project.chaliceStages) {
    if (stage in stages) continue;
    const own = stageConfig(stage);
    stages[stage] = seed
      ? { ...seed, environment_variables: { ...(seed.environment_variables ?? {}), STAGE: stage } }
      : withEnvironment({ ...own, ...settings }, { ...environment, ...own.environment_variables });
  }
  return { ...existing, stages };
}

/**
 * The user's config.json text with our stages added. Untouched when every stage is there (a re-run must not
 * reformat it); otherwise written back with the file's own indentation, so the diff is just the new stages.
 */
export function mergeChaliceConfigText(text: string, project: Project, seedFrom?: string): string {
  const existing = parseChaliceConfig(text);
  const merged = mergeChaliceConfig(existing, project, seedFrom);
  if (JSON.stringify(merged) === JSON.stringify(existing)) return text;
  return `${JSON.stringify(merged, null, jsonIndent(text))}\n`;
}

/** .chalice/config.json as Chalice requires it (an object, stages an object of objects), or an input error. */
export function parseChaliceConfig(text: string): ChaliceConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError([`.chalice/config.json is not valid JSON (${(error as Error).message.split('\n')[0]}); fix it first`]);
  }
  const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  const stages = isObject(data) ? (data as ChaliceConfig).stages : undefined;
  if (!isObject(data) || (stages !== undefined && (!isObject(stages) || !Object.values(stages).every(isObject)))) {
    throw new InputError(['.chalice/config.json must be an object whose "stages" is an object of stage objects (as `chalice new-project` writes it); fix it first']);
  }
  return data as ChaliceConfig;
}

/** The indentation of a JSON text (a tab, or a number of spaces; 2 when it has none). */
function jsonIndent(text: string): string | number {
  const indent = /^[{[][^\n]*\r?\n([ \t]+)\S/.exec(text)?.[1];
  if (indent === undefined) return 2;
  return indent.startsWith('\t') ? '\t' : indent.length;
}

/** Append the lines that are missing; nothing is removed or reordered. `same` decides what counts as present. */
/** Text with every CRLF line break as LF: merges work on LF text (see keepConventions). */
export const withLfBreaks = (text: string) => text.replaceAll('\r\n', '\n');

/**
 * merged (LF text) in the conventions of the team's file it came from: CRLF breaks when most of its breaks are
 * CRLF, and no final line break when it had none. A merge never changes how a file is written, only what it says.
 */
export function keepConventions(original: string | undefined, merged: string): string {
  if (original === undefined || original === '') return merged;
  let text = merged;
  if (!original.endsWith('\n') && text.endsWith('\n')) text = text.slice(0, -1);
  const crlf = original.split('\r\n').length - 1;
  if (crlf > 0 && crlf >= original.split('\n').length - 1 - crlf) text = text.replace(/\r?\n/g, '\r\n');
  return text;
}

export function appendMissingLines(text: string, lines: string[], same: (a: string, b: string) => boolean = (a, b) => a === b): string {
  const present = text.split('\n').map((line) => line.trim());
  const missing = lines.filter((line) => !present.some((existing) => same(existing, line)));
  if (missing.length === 0) return text;
  // Keep the file's line endings: a CRLF file stays CRLF.
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const base = text === '' || text.endsWith('\n') ? text : `${text}${eol}`;
  return `${base}${missing.join(eol)}${eol}`;
}

/**
 * Whether the user's .gitignore line `existing` already ignores what our `line` does: the same pattern, the
 * pattern without its trailing slash (`.venv` covers `.venv/`), or a glob that matches it (`*.py[cod]` covers `*.pyc`).
 */
export function gitignoreCovers(existing: string, line: string): boolean {
  if (existing === '' || existing.startsWith('#') || existing.startsWith('!')) return false;
  if (existing === line || `${existing}/` === line) return true;
  // An unanchored pattern (build/) already covers the anchored one (/build/).
  if (`/${existing}` === line || `/${existing}/` === line) return true;
  const glob = existing.replace(/\/$/, '');
  const pattern = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  // A slash inside a pattern anchors it at the root: `/build/` does not cover `build/` (any folder named build).
  const anchored = (pattern: string) => pattern.replace(/\/$/, '').includes('/');
  try {
    return new RegExp(`^${pattern}/?$`).test(line) && anchored(glob) === anchored(line);
  } catch {
    return false;
  }
}

/** The distribution name of a requirement line (`Chalice==1.2` -> `chalice`), to avoid a second pin of it. */
export function requirementName(line: string): string {
  return line.split(/[<>=!~;\[\s]/)[0].trim().toLowerCase().replace(/[-_.]+/g, '-');
}

export const sameRequirement = (a: string, b: string) => requirementName(a) !== '' && requirementName(a) === requirementName(b);

/** Canonical JSON form of every JSON file we write. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
