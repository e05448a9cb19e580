// Answers from every source (flags, answers file, saved .yo-rc.json, defaults) merged by precedence and validated.
import { DEPRECATED_PYTHON } from '../facts/aws.js';
import { stageStackProblems } from './project.js';
import { stageId } from './release.js';
import { closest } from './rules.js';
import {
  parseStages, pipelineStageCountProblem, stageListProblems, summaryKeysOf, type StageAnswer,
} from './stage-list.js';
import {
  SETTINGS, SETTING_KEYS, settingFor, type AnswerKey, type AnswerValue, type Answers, type PartialAnswers,
  type Setting,
} from './settings.js';

/** A mistake in the user's input: reported as one line each, exit code 2, nothing written. */
export class InputError extends Error {
  /** The exit code `yo` uses for an error (it exits with `error.code`): 2 invalid input, 3 refused overwrite. */
  readonly code: number;
  constructor(readonly problems: string[], readonly exitCode = 2) {
    super(problems.join('\n'));
    this.name = 'InputError';
    this.code = exitCode;
  }
}

/** Key under which .yo-rc.json holds our answers (the package name, as Yeoman does). */
export const CONFIG_KEY = 'generator-chalice-pipeline';

export interface AnswerLayers {
  flags?: PartialAnswers;
  file?: PartialAnswers;
  saved?: PartialAnswers;
  /** Defaults the repository itself states (app_name from .chalice/config.json, ...): above built-in defaults. */
  found?: PartialAnswers;
}

export interface Resolution {
  /** Every applicable key with a value (given or default). */
  known: PartialAnswers;
  /** Required keys nobody answered. */
  missing: AnswerKey[];
  /** Keys a user or file gave (these are not asked again). */
  given: Set<AnswerKey>;
  /** Keys the repository itself states (not asked either). */
  found: Set<AnswerKey>;
  /** Given keys whose value comes from .yo-rc.json (asked again only with --ask-answered). */
  saved?: Set<AnswerKey>;
  /** Where a value came from when that is not obvious (.yo-rc.json, an environment variable), for messages. */
  origins?: Partial<Record<AnswerKey, string>>;
  /** Answers given for questions that do not apply (manualApproval without production, ...): warned about. */
  ignored?: AnswerKey[];
}

/** Merge the layers by precedence (flags > file > saved > found > defaults); never asks anything. */
export function mergeAnswers(layers: AnswerLayers, env: NodeJS.ProcessEnv): Resolution {
  const known: PartialAnswers = {};
  const given = new Set<AnswerKey>();
  const found = new Set<AnswerKey>();
  const saved = new Set<AnswerKey>();
  const missing: AnswerKey[] = [];
  const origins: Partial<Record<AnswerKey, string>> = {};
  const ignored: AnswerKey[] = [];
  for (const setting of SETTINGS) {
    if (setting.applies && !setting.applies(known)) {
      if (layers.flags?.[setting.key] !== undefined || layers.file?.[setting.key] !== undefined) ignored.push(setting.key);
      continue;
    }
    const value = normalised(setting, layers.flags?.[setting.key] ?? layers.file?.[setting.key] ?? layers.saved?.[setting.key]) ?? savedByOmission(setting, layers.saved, known, env);
    if (value !== undefined) {
      known[setting.key] = value;
      given.add(setting.key);
      if (layers.flags?.[setting.key] === undefined && layers.file?.[setting.key] === undefined) {
        origins[setting.key] = 'saved in .yo-rc.json';
        saved.add(setting.key);
      }
      continue;
    }
    const stated = layers.found?.[setting.key];
    if (stated !== undefined) {
      found.add(setting.key);
      origins[setting.key] = 'found in the repository (.chalice/config.json, .python-version or pipeline.json)';
    }
    const fallback = stated ?? setting.defaultValue?.(known, env);
    if (fallback !== undefined) {
      known[setting.key] = fallback;
      const from = stated === undefined ? setting.defaultOrigin?.(env) : undefined;
      if (from) origins[setting.key] = `the default from ${from}`;
    }
    // A derived default (repository, pipelineStackName) is only missing once appName is known.
    else if (!setting.optional && !(setting.defaultValue && missing.length > 0)) missing.push(setting.key);
  }
  return { known, missing, given, found, saved, origins, ignored };
}

/** A string value as the rules read it (Setting.normalise). */
export function normalised<T extends AnswerValue | undefined>(setting: Setting, value: T): T {
  return (typeof value === 'string' && setting.normalise ? setting.normalise(value) : value) as T;
}

/** The problem with one value, as the one-line message users see, or undefined. */
export function problemWith(setting: Setting, typed: AnswerValue, known: PartialAnswers): string | undefined {
  const shown = shownValue(typed);
  const value = normalised(setting, typed);
  if (setting.kind === 'boolean') {
    return typeof value === 'boolean' ? undefined : `${setting.key} ${shown} is invalid: must be true or false`;
  }
  if (setting.kind === 'list') {
    if (value === '') return undefined;
    const { stages, problems } = parseStages(value);
    const all = [...problems, ...(stages && problems.length === 0 ? stageListProblems(stages, typeof known.region === 'string' ? known.region : undefined) : [])];
    return all.length > 0 ? all.join('; ') : undefined;
  }
  if (typeof value !== 'string') return `${setting.key} ${shown} is invalid: must be a string${typeHint(setting, value)}`;
  // "" is an optional answer deliberately left blank (saved so, and not asked again).
  if (setting.optional && value === '') return undefined;
  if (setting.rule) {
    const rule = setting.rule(value, known);
    if (rule) return `${setting.key} ${shown} is invalid: ${rule}`;
  }
  if (setting.choices && !setting.rule && !setting.choices.includes(value)) {
    return `${setting.key} ${shown} is invalid: must be one of ${setting.choices.join(', ')}`;
  }
  return undefined;
}

/** A setting left out of a .yo-rc.json (which saves it only when changed) was saved as its default. */
function savedByOmission(setting: Setting, saved: PartialAnswers | undefined, known: PartialAnswers, env: NodeJS.ProcessEnv): AnswerValue | undefined {
  return setting.savedOnlyWhenChanged && saved !== undefined && Object.keys(saved).length > 0 ? setting.defaultValue?.(known, env) : undefined;
}

/** Validate merged answers completely; returns the answers every later step can trust. */
export function finishAnswers(resolution: Resolution): { answers: Answers; warnings: string[] } {
  const { known } = resolution;
  const problems = (resolution.ignored ?? []).filter((key) => settingFor(key)!.onlyWhenApplies).map(
    (key) => `${key} is invalid: it applies only with ${settingFor(key)!.appliesWhen}; remove it`,
  );
  problems.push(...resolution.missing.map(
    (key) => `missing answer: ${key} (give --${settingFor(key)!.flag}, an answers-file key "${key}", or answer the prompt in a terminal)`,
  ));
  const stated: string[] = [];
  const derived: string[] = [];
  for (const setting of SETTINGS) {
    const value = known[setting.key];
    if (value === undefined) continue;
    const problem = problemWith(setting, value, known);
    if (!problem) continue;
    const origin = resolution.origins?.[setting.key];
    const message = origin ? `${problem} (${origin}; give --${setting.flag} to replace it)` : problem;
    // A default with an origin (an environment variable) stands alone; other defaults derive from the answers.
    const isStated = resolution.given.has(setting.key) || resolution.found.has(setting.key) || origin !== undefined;
    (isStated ? stated : derived).push(message);
  }
  // A default derived from an invalid answer (repository and pipelineStackName from appName) only repeats its problem.
  problems.push(...stated, ...(stated.length > 0 ? [] : derived));
  const list = problems.length === 0 ? stageList(resolution) : undefined;
  problems.push(...(list?.problems ?? []));
  if (problems.length > 0) throw new InputError(problems);
  const answers = completeAnswers(known);
  if (list?.stages) {
    // The list replaces today's keys (saved instead of them); what they summed up is derived from it.
    for (const key of SETTINGS.filter((setting) => setting.shorthand).map((setting) => setting.key)) delete answers[key];
    Object.assign(answers, summaryKeysOf(list.stages));
    answers.stages = list.stages;
    if (answers.approvalEmail && !list.stages.some((stage) => stage.approval)) delete answers.approvalEmail;
  } else {
    delete answers.stages;
  }
  const warnings = DEPRECATED_PYTHON[answers.pythonVersion] ? [`pythonVersion ${answers.pythonVersion}: ${DEPRECATED_PYTHON[answers.pythonVersion]}`] : [];
  for (const key of (resolution.ignored ?? []).filter((k) => !settingFor(k)!.onlyWhenApplies)) warnings.push(`${key} ignored: it applies only with ${settingFor(key)!.appliesWhen}`);
  if (answers.region.startsWith('cn-')) {
    warnings.push(`region ${answers.region}: the China regions lack some CodePipeline actions and CodeConnections providers; check each stage's action is offered there before make deploy`);
  }
  return { answers, warnings };
}

/** What today's keys say of stage beta or prod: the answer key, and the stage's field it gives. */
const SHORTHAND: { key: AnswerKey; stage: 'beta' | 'prod'; field: 'account' | 'region' | 'tests' | 'approval' | 'deployment' | 'exists' }[] = [
  { key: 'betaAccountId', stage: 'beta', field: 'account' },
  { key: 'betaRegion', stage: 'beta', field: 'region' },
  { key: 'integrationTests', stage: 'beta', field: 'tests' },
  { key: 'production', stage: 'prod', field: 'exists' },
  { key: 'prodAccountId', stage: 'prod', field: 'account' },
  { key: 'prodRegion', stage: 'prod', field: 'region' },
  { key: 'manualApproval', stage: 'prod', field: 'approval' },
  { key: 'prodDeployment', stage: 'prod', field: 'deployment' },
];

/**
 * The `stages` list with the details today's keys give its stages beta and prod (a saved two-stage .yo-rc.json plus
 * `--stages dev,beta,prod` keeps beta and prod as they were), or the contradictions between the two: a key given as
 * a flag or in the answers file that says otherwise than the list (saved keys are simply replaced by the list).
 */
function stageList(resolution: Resolution): { stages?: StageAnswer[]; problems: string[] } {
  const value = resolution.known.stages;
  if (value === undefined || value === '') return { problems: [] };
  const parsed = parseStages(value);
  if (!parsed.stages) return parsed;
  const stages = parsed.stages.map((stage) => ({ ...stage }));
  const problems: string[] = [];
  for (const { key, stage: name, field } of SHORTHAND) {
    if (!resolution.given.has(key)) continue;
    const given = resolution.known[key];
    const fromFlagOrFile = !resolution.saved?.has(key);
    const stage = stages.find((entry) => entry.name === name);
    const contradiction = (what: string) => {
      if (fromFlagOrFile) problems.push(`${key} ${JSON.stringify(given)} contradicts stages: ${what}; give the stage's details in stages only`);
    };
    if (field === 'exists') {
      if ((given === true) !== (stage !== undefined)) contradiction(given === true ? 'it lists no stage prod' : 'it lists a stage prod');
      continue;
    }
    const blank = given === '' || given === false || (field === 'deployment' && given === 'AllAtOnce');
    if (!stage) {
      if (!blank) contradiction(`it describes stage ${name}, which the list does not have`);
      continue;
    }
    if (given === '') continue;
    const stated = field === 'account' || field === 'region'
      ? (stage.targets ? stage.targets : undefined)
      : stage[field];
    if (Array.isArray(stated)) {
      contradiction(`stage ${name} lists targets`);
    } else if (field === 'account' || field === 'region') {
      if (stage[field] === undefined) stage[field] = given as string;
      else if (stage[field] !== given) contradiction(`stage ${name} has ${field} ${JSON.stringify(stage[field])}`);
    } else if (stated === undefined) {
      (stage as Record<string, unknown>)[field] = given;
    } else if (stated !== given) {
      contradiction(`stage ${name} has ${field} ${JSON.stringify(stated)}`);
    }
  }
  if (problems.length === 0 && typeof resolution.known.appName === 'string') {
    problems.push(...stageStackProblems(resolution.known.appName, stages.map((stage) => ({ name: stage.name, id: stageId(stage.name) }))));
  }
  // CodePipeline's quota (an external CI has none). Unknown yet (asked later): their defaults, the gate on a V2 pipeline.
  const codePipeline = (resolution.known.ci ?? 'codepipeline') === 'codepipeline';
  const count = codePipeline && pipelineStageCountProblem(stages, {
    selfUpdate: resolution.known.selfUpdate === true, approveBroadening: resolution.known.approveBroadening !== false, pipelineType: String(resolution.known.pipelineType ?? 'V2'),
  });
  if (count) problems.push(count);
  return { stages, problems };
}

/** A yes/no question that does not apply is a no (mergeAnswers leaves out the answers that do not apply). */
function completeAnswers(known: PartialAnswers): Answers {
  const answers: PartialAnswers = { ...known };
  for (const setting of SETTINGS) if (setting.kind === 'boolean' && answers[setting.key] === undefined) answers[setting.key] = false;
  return answers as Answers;
}

/** The answers as saved in .yo-rc.json: applicable keys only, in definition order. */
export function savedForm(answers: Answers): PartialAnswers {
  const saved: PartialAnswers = {};
  // A stage list says everything today's keys said of beta and prod: they are not saved beside it.
  for (const setting of SETTINGS.filter((s) => !(answers.stages && s.shorthand))) {
    const value = answers[setting.key];
    if (value === undefined || (setting.savedOnlyWhenChanged && value === setting.defaultValue?.(saved, {}))) continue;
    saved[setting.key] = value;
  }
  return saved;
}

/** Check the keys and value types of an object from an answers file or .yo-rc.json. */
export function checkAnswersObject(data: unknown, origin: string): PartialAnswers {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InputError([`${origin}: must be an object of answers such as {"appName": "orders"}, not ${describe(data)}`]);
  }
  const problems: string[] = [];
  const result: PartialAnswers = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === '$schema') continue;
    const setting = settingFor(key);
    if (!setting) {
      const hint = closest(key, SETTING_KEYS);
      problems.push(`${origin}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; known keys: ${SETTING_KEYS.join(', ')}`);
      continue;
    }
    const wrongType = setting.kind === 'boolean' ? typeof value !== 'boolean'
      : setting.kind === 'list' ? typeof value !== 'string' && !Array.isArray(value) : typeof value !== 'string';
    if (wrongType) {
      const expected = setting.kind === 'boolean' ? 'true or false' : setting.kind === 'list' ? 'a list of stages' : 'a string';
      problems.push(`${origin}: ${key} ${shownValue(value)} has the wrong type: must be ${expected}${typeHint(setting, value)}`);
      continue;
    }
    result[key as AnswerKey] = value as AnswerValue;
  }
  if (problems.length > 0) throw new InputError(problems);
  return result;
}

/** Why a value of the wrong type probably has it, for the answers a YAML file may turn into numbers or null. */
function typeHint(setting: Setting, value: unknown): string {
  if (value === null || value === undefined) return ' (leave the key out to take the default)';
  if (typeof value === 'number' && setting.kind !== 'boolean') {
    return setting.key === 'pythonVersion'
      ? ' (quote it: in YAML 3.10 is the number 3.1)'
      : ' (quote it: YAML read it as a number)';
  }
  if (typeof value === 'string' && setting.kind === 'boolean') return ' (unquoted true or false, not a string)';
  return '';
}

/** A value as JSON, shortened so one bad answer cannot flood the terminal. */
function shownValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
