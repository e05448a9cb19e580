// What the stages the pipeline adds to an existing app's .chalice/config.json take from the stages the team already
// has, so that `chalice package --stage <new>` builds the app as the team runs it: the environment variables every
// existing stage sets to the same value (those that differ are for the team to fill in, said in the run's notes), and
// an IAM policy file when autogen_policy is false (a copy of the team's, named in the notes; none to copy: exit 2).
import { InputError } from '../answers/answers.js';

/** The part of .chalice/config.json read here (repo-files.ts parses and merges the whole). */
interface Stage {
  environment_variables?: Record<string, string>;
  [key: string]: unknown;
}
interface ChaliceConfig {
  stages?: Record<string, Stage>;
  [key: string]: unknown;
}

/** The stage-level settings copied when every existing stage sets them the same way (Chalice reads them per stage). */
const POLICY_SETTINGS = ['autogen_policy', 'iam_policy_file'] as const;
/** Set by the generator on each new stage (its own name): never inherited. */
const OWN_VARIABLES = new Set(['STAGE']);

export interface InheritedSettings {
  /** Stage-level keys and environment variables every existing stage sets identically. */
  settings: Partial<Stage>;
  environment: Record<string, string>;
  /** Variables some stages set, or set to different values, with the value each stage gives. */
  differing: { name: string; values: Record<string, string | undefined> }[];
}

const same = (values: unknown[]) => values.every((value) => JSON.stringify(value) === JSON.stringify(values[0]));

/** What the existing stages agree on (nothing when there is no stage yet). */
export function inheritedSettings(config: ChaliceConfig): InheritedSettings {
  const stages = Object.entries(config.stages ?? {});
  const result: InheritedSettings = { settings: {}, environment: {}, differing: [] };
  if (stages.length === 0) return result;
  for (const key of POLICY_SETTINGS) {
    const values = stages.map(([, stage]) => stage[key]);
    if (values[0] !== undefined && same(values)) result.settings[key] = values[0];
  }
  const names = [...new Set(stages.flatMap(([, stage]) => Object.keys(stage.environment_variables ?? {})))].filter((name) => !OWN_VARIABLES.has(name));
  for (const name of names) {
    const values = stages.map(([, stage]) => stage.environment_variables?.[name]);
    if (values[0] !== undefined && same(values)) result.environment[name] = values[0];
    else result.differing.push({ name, values: Object.fromEntries(stages.map(([stage], index) => [stage, values[index]])) });
  }
  return result;
}

/** The policy file Chalice reads for a stage when autogen_policy is false there (its lookup: stage, then top level). */
export function policyFileOf(config: ChaliceConfig, stage: string): string | undefined {
  const settings = config.stages?.[stage] ?? {};
  const value = (key: string) => settings[key] ?? config[key];
  if (value('autogen_policy') !== false) return undefined;
  const file = value('iam_policy_file');
  return `.chalice/${typeof file === 'string' ? file : `policy-${stage}.json`}`;
}

export interface AddedStageFiles {
  /** Policy files to add: [path, contents]. */
  files: [string, string][];
  notes: string[];
}

/**
 * For the stages added to `before` (giving `after`): the policy files they need, copied from an existing stage's, and
 * the notes saying what was inherited and what the team must fill in. No policy to copy is an input error.
 */
export function addedStageFiles(before: ChaliceConfig, after: ChaliceConfig, read: (path: string) => string | undefined): AddedStageFiles {
  const existing = Object.keys(before.stages ?? {});
  const added = Object.keys(after.stages ?? {}).filter((stage) => !existing.includes(stage));
  const result: AddedStageFiles = { files: [], notes: [] };
  if (added.length === 0) return result;
  const present = (path: string) => read(path) !== undefined || result.files.some(([file]) => file === path);
  const source = existing.map((stage) => policyFileOf(before, stage)).find((path): path is string => path !== undefined && read(path) !== undefined);
  const missing: string[] = [];
  for (const stage of added) {
    const path = policyFileOf(after, stage);
    if (path === undefined || present(path)) continue;
    if (source === undefined) {
      missing.push(`${path} (stage ${stage})`);
      continue;
    }
    result.files.push([path, read(source)!]);
    result.notes.push(`${path} added as a copy of ${source}: autogen_policy is false, so \`chalice package --stage ${stage}\` reads it; review what ${stage} may do`);
  }
  if (missing.length > 0) {
    throw new InputError([`.chalice/config.json sets "autogen_policy": false, so the new stages need their IAM policy files and there is none to copy: create ${missing.join(', ')} (the policy the app's role gets there), then run again`]);
  }
  const { environment, differing } = inheritedSettings(before);
  const inherited = Object.keys(environment);
  if (inherited.length > 0) result.notes.push(`${added.join(', ')} in .chalice/config.json take the environment variables every existing stage sets alike: ${inherited.join(', ')}`);
  for (const { name, values } of differing) {
    const given = Object.entries(values).map(([stage, value]) => `${stage}: ${value === undefined ? 'unset' : JSON.stringify(value)}`).join(', ');
    result.notes.push(`warning: environment variable ${name} differs between the existing stages (${given}): set it in .chalice/config.json under stages.${added.join(' and stages.')}.environment_variables if the app needs it, before the first push`);
  }
  return result;
}
