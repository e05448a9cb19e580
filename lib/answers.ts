// Answers from every source (flags, answers file, saved .yo-rc.json, defaults) merged by precedence and validated.
import { readFileSync } from 'node:fs';
import { DEPRECATED_PYTHON } from './aws.js';
import { closest } from './rules.js';
import {
  SETTINGS, SETTING_KEYS, settingFor, type AnswerKey, type AnswerValue, type Answers, type PartialAnswers,
  type Setting,
} from './settings.js';

/** A mistake in the user's input: reported as one line each, exit code 2, nothing written. */
export class InputError extends Error {
  constructor(readonly problems: string[], readonly exitCode = 2) {
    super(problems.join('\n'));
    this.name = 'InputError';
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
}

/** Merge the layers by precedence (flags > file > saved > found > defaults); never asks anything. */
export function mergeAnswers(layers: AnswerLayers, env: NodeJS.ProcessEnv): Resolution {
  const known: PartialAnswers = {};
  const given = new Set<AnswerKey>();
  const found = new Set<AnswerKey>();
  const missing: AnswerKey[] = [];
  for (const setting of SETTINGS) {
    if (setting.applies && !setting.applies(known)) continue;
    const value = layers.flags?.[setting.key] ?? layers.file?.[setting.key] ?? layers.saved?.[setting.key];
    if (value !== undefined) {
      known[setting.key] = value;
      given.add(setting.key);
      continue;
    }
    const stated = layers.found?.[setting.key];
    if (stated !== undefined) found.add(setting.key);
    const fallback = stated ?? setting.defaultValue?.(known, env);
    if (fallback !== undefined) known[setting.key] = fallback;
    // A derived default (repository, pipelineStackName) is only missing once appName is known.
    else if (!setting.optional && !(setting.defaultValue && missing.length > 0)) missing.push(setting.key);
  }
  return { known, missing, given, found };
}

/** The problem with one value, as the one-line message users see, or undefined. */
export function problemWith(setting: Setting, value: AnswerValue, known: PartialAnswers): string | undefined {
  const shown = JSON.stringify(value);
  if (setting.kind === 'boolean') {
    return typeof value === 'boolean' ? undefined : `${setting.key} ${shown} is invalid: must be true or false`;
  }
  if (typeof value !== 'string') {
    const hint = typeof value === 'number' ? ` (quote it: in YAML 3.10 is the number 3.1)` : '';
    return `${setting.key} ${shown} is invalid: must be a string${hint}`;
  }
  if (setting.rule) {
    const rule = setting.rule(value, known);
    if (rule) return `${setting.key} ${shown} is invalid: ${rule}`;
  }
  if (setting.choices && !setting.rule && !setting.choices.includes(value)) {
    return `${setting.key} ${shown} is invalid: must be one of ${setting.choices.join(', ')}`;
  }
  return undefined;
}

/** Validate merged answers completely; returns the answers every later step can trust. */
export function finishAnswers(resolution: Resolution): { answers: Answers; warnings: string[] } {
  const { known } = resolution;
  const problems: string[] = [];
  if (resolution.missing.length > 0) {
    problems.push(
      ...resolution.missing.map((key) => `missing answer: ${key} (give --${settingFor(key)!.flag}, an answers-file key "${key}", or answer the prompt in a terminal)`),
    );
  }
  for (const setting of SETTINGS) {
    const value = known[setting.key];
    if (value === undefined) continue;
    const problem = problemWith(setting, value, known);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new InputError(problems);
  const answers = completeAnswers(known);
  const warnings = DEPRECATED_PYTHON[answers.pythonVersion] ? [`pythonVersion ${answers.pythonVersion}: ${DEPRECATED_PYTHON[answers.pythonVersion]}`] : [];
  return { answers, warnings };
}

/** Settings that do not apply become false / absent, so the rest of the code reads plain values. */
function completeAnswers(known: PartialAnswers): Answers {
  const answers = { ...known } as Answers;
  if (!answers.production) {
    answers.manualApproval = false;
  }
  if (!answers.production || !answers.manualApproval) delete answers.approvalEmail;
  if (answers.source === 'codecommit') delete answers.connectionArn;
  return answers;
}

/** The answers as saved in .yo-rc.json: applicable keys only, in definition order. */
export function savedForm(answers: Answers): PartialAnswers {
  const saved: PartialAnswers = {};
  for (const key of SETTING_KEYS) {
    const value = answers[key];
    if (value !== undefined) saved[key] = value;
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
    const wrongType = setting.kind === 'boolean' ? typeof value !== 'boolean' : typeof value !== 'string';
    if (wrongType) {
      const expected = setting.kind === 'boolean' ? 'true or false' : 'a string';
      const hint = typeof value === 'number' && setting.kind !== 'boolean' ? ' (quote it: in YAML 3.10 is the number 3.1)' : '';
      problems.push(`${origin}: ${key} ${JSON.stringify(value)} has the wrong type: must be ${expected}${hint}`);
      continue;
    }
    result[key as AnswerKey] = value as AnswerValue;
  }
  if (problems.length > 0) throw new InputError(problems);
  return result;
}

/** Read an answers file (JSON, or YAML for .yml/.yaml), with line and column on a syntax error. */
export async function readAnswersFile(path: string): Promise<PartialAnswers> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
    throw new InputError([`--answers ${path}: ${reason}`]);
  }
  return checkAnswersObject(await parseAnswersText(text, path), `--answers ${path}`);
}

async function parseAnswersText(text: string, path: string): Promise<unknown> {
  if (/\.ya?ml$/i.test(path)) {
    const { parse } = await import('yaml');
    try {
      return parse(text, { prettyErrors: true });
    } catch (error) {
      const { linePos, message } = error as { linePos?: { line: number; col: number }[]; message: string };
      const at = linePos?.[0] ? `line ${linePos[0].line}, column ${linePos[0].col}` : 'somewhere';
      throw new InputError([`--answers ${path}: not valid YAML at ${at}: ${message.split('\n')[0]}`]);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? text.length);
    const before = text.slice(0, position).split('\n');
    const at = `line ${before.length}, column ${before.at(-1)!.length + 1}`;
    throw new InputError([`--answers ${path}: not valid JSON at ${at}: ${message.replace(/ in JSON at position \d+.*$/, '')} (use .yml/.yaml for YAML)`]);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
