// Files built from data rather than templates, because an existing repository's copy is merged, not replaced:
// .chalice/config.json, .gitignore and requirements-dev.txt.
import type { Project } from './project.js';

export const GITIGNORE_LINES = [
  '.chalice/deployments/', '.chalice/venv/', '.venv/', '__pycache__/', '*.pyc', '.pytest_cache/', 'reports/', 'build/',
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

/** Add the stages the pipeline deploys; every existing key, value, stage and their order stay. */
export function mergeChaliceConfig(existing: ChaliceConfig, project: Project): ChaliceConfig {
  const stages = { ...(existing.stages ?? {}) };
  for (const stage of project.chaliceStages) {
    if (!(stage in stages)) stages[stage] = stageConfig(stage);
  }
  return { ...existing, stages };
}

/** Append the lines that are missing; nothing is removed or reordered. `same` decides what counts as present. */
export function appendMissingLines(text: string, lines: string[], same: (a: string, b: string) => boolean = (a, b) => a === b): string {
  const present = text.split('\n').map((line) => line.trim());
  const missing = lines.filter((line) => !present.some((existing) => same(existing, line)));
  if (missing.length === 0) return text;
  const base = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${base}${missing.join('\n')}\n`;
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
