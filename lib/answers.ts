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
  /** Where a value came from when that is not obvious (.yo-rc.json, an environment variable), for messages. */
  origins?: Partial<Record<AnswerKey, string>>;
}

/** Merge the layers by precedence (flags > file > saved > found > defaults); never asks anything. */
export function mergeAnswers(layers: AnswerLayers, env: NodeJS.ProcessEnv): Resolution {
  const known: PartialAnswers = {};
  const given = new Set<AnswerKey>();
  const found = new Set<AnswerKey>();
  const missing: AnswerKey[] = [];
  const origins: Partial<Record<AnswerKey, string>> = {};
  for (const setting of SETTINGS) {
    if (setting.applies && !setting.applies(known)) continue;
    const value = layers.flags?.[setting.key] ?? layers.file?.[setting.key] ?? layers.saved?.[setting.key];
    if (value !== undefined) {
      known[setting.key] = value;
      given.add(setting.key);
      if (layers.flags?.[setting.key] === undefined && layers.file?.[setting.key] === undefined) origins[setting.key] = 'saved in .yo-rc.json';
      continue;
    }
    const stated = layers.found?.[setting.key];
    if (stated !== undefined) found.add(setting.key);
    const fallback = stated ?? setting.defaultValue?.(known, env);
    if (fallback !== undefined) {
      known[setting.key] = fallback;
      const from = stated === undefined ? setting.defaultOrigin?.(env) : undefined;
      if (from) origins[setting.key] = `the default from ${from}`;
    }
    // A derived default (repository, pipelineStackName) is only missing once appName is known.
    else if (!setting.optional && !(setting.defaultValue && missing.length > 0)) missing.push(setting.key);
  }
  return { known, missing, given, found, origins };
}

/** The problem with one value, as the one-line message users see, or undefined. */
export function problemWith(setting: Setting, value: AnswerValue, known: PartialAnswers): string | undefined {
  const shown = shownValue(value);
  if (setting.kind === 'boolean') {
    return typeof value === 'boolean' ? undefined : `${setting.key} ${shown} is invalid: must be true or false`;
  }
  if (typeof value !== 'string') return `${setting.key} ${shown} is invalid: must be a string${typeHint(setting, value)}`;
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
  const problems = resolution.missing.map(
    (key) => `missing answer: ${key} (give --${settingFor(key)!.flag}, an answers-file key "${key}", or answer the prompt in a terminal)`,
  );
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
      problems.push(`${origin}: ${key} ${shownValue(value)} has the wrong type: must be ${expected}${typeHint(setting, value)}`);
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
  // Editors on Windows save a byte order mark, which JSON.parse refuses.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') throw new InputError([`--answers ${path}: is empty; it must hold an object of answers such as {"appName": "orders"}`]);
  return checkAnswersObject(await parseAnswersText(text, path), `--answers ${path}`);
}

async function parseAnswersText(text: string, path: string): Promise<unknown> {
  if (/\.ya?ml$/i.test(path)) {
    const { parse } = await import('yaml');
    try {
      return parse(text, { prettyErrors: true });
    } catch (error) {
      const { linePos, message } = error as { linePos?: { line: number; col: number }[]; message: string };
      const at = linePos?.[0] ? ` at line ${linePos[0].line}, column ${linePos[0].col}` : '';
      const reason = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new InputError([`--answers ${path}: not valid YAML${at}: ${reason}`]);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // Node 20 names no position for "Unexpected token" and quotes the text (newlines included): find it ourselves.
    const before = text.slice(0, jsonErrorOffset(text)).split('\n');
    const at = `line ${before.length}, column ${before.at(-1)!.length + 1}`;
    const reason = (error as Error).message
      .replace(/ in JSON at position \d+[\s\S]*$/, '')
      .replace(/, "[\s\S]*" is not valid JSON$/, '')
      .replace(/[\u0000-\u001f]/g, (char) => JSON.stringify(char).slice(1, -1));
    throw new InputError([`--answers ${path}: not valid JSON at ${at}: ${reason} (use .yml/.yaml for YAML)`]);
  }
}

/** Offset of the first JSON syntax error in text (text.length when it ends too early, or for valid JSON). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  /** Step over one character matching pattern, else fail there. */
  const expect = (pattern: RegExp) => (pattern.test(text[i] ?? '') ? i++ : fail());
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const char = text[i];
      if (char === '"') return void i++;
      if (char < ' ') fail();
      if (char !== '\\') {
        i++;
      } else if (text[i + 1] === 'u') {
        i += 2;
        for (let n = 0; n < 4; n++) expect(/[0-9a-fA-F]/);
      } else {
        i++;
        expect(/["\\/bfnrt]/);
      }
    }
    fail();
  };
  const value = (depth: number): void => {
    space();
    if (depth > 500) fail();
    const char = text[i];
    if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) return void i++;
      for (;;) {
        if (char === '{') {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ':') fail();
          i++;
        }
        value(depth + 1);
        space();
        if (text[i] === close) return void i++;
        if (text[i] !== ',') fail();
        i++;
      }
    }
    if (char === '"') return string();
    const literal = ['true', 'false', 'null'].find((word) => word[0] === char);
    if (literal) {
      for (const letter of literal) expect(new RegExp(letter));
      return;
    }
    const digits = () => {
      expect(/[0-9]/);
      while (/[0-9]/.test(text[i] ?? '')) i++;
    };
    if (char === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  try {
    value(0);
    space();
    return i;
  } catch (offset) {
    return typeof offset === 'number' ? offset : text.length;
  }
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
