// Command-line flags: one per answer (from the settings table) plus the run options, and the --help text.
import { parseArgs } from 'node:util';
import { InputError } from '../answers/answers.js';
import { closest } from '../answers/rules.js';
import { SETTINGS, type PartialAnswers, type Setting } from '../answers/settings.js';
import { BIN_COMMANDS, type Commands } from './commands.js';
import type { GeneratorKind } from './session.js';

export const RUN_FLAGS = {
  answers: { type: 'string', description: 'answers file (JSON, or YAML for .yml/.yaml); see answers.schema.json' },
  defaults: { type: 'boolean', description: 'take the default for every unanswered question; ask nothing' },
  force: { type: 'boolean', description: 'overwrite generated files you changed, write into a non-empty folder' },
  'ask-answered': { type: 'boolean', description: 'in a terminal, ask the answers saved in .yo-rc.json again (saved values as defaults)' },
  'dry-run': { type: 'boolean', description: 'print what would change (and the stack upgrade plan); write nothing' },
  diff: { type: 'boolean', description: 'print a unified diff of each file that changes, merges included (with --dry-run: nothing written)' },
  'skip-install': { type: 'boolean', description: 'do not create .venv nor install requirements-dev.txt' },
  'skip-git': { type: 'boolean', description: 'do not git init, commit or add the remote' },
  help: { type: 'boolean', description: 'show this help' },
  version: { type: 'boolean', description: 'show the version of chalice-pipeline' },
} as const;

export interface CliArgs {
  kind: GeneratorKind;
  /** The command was named (`chalice-pipeline pipeline`): --help is that command's. */
  named?: boolean;
  flags: PartialAnswers;
  answers?: string;
  defaults: boolean;
  askAnswered: boolean;
  force: boolean;
  dryRun: boolean;
  diff: boolean;
  skipInstall: boolean;
  skipGit: boolean;
  help: boolean;
  version: boolean;
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

function optionSpecs(): Record<string, OptionSpec> {
  const specs: Record<string, OptionSpec> = {};
  for (const [flag, { type }] of Object.entries(RUN_FLAGS)) specs[flag] = { type };
  specs.help.short = 'h';
  for (const setting of SETTINGS) specs[setting.flag] = { type: setting.kind === 'boolean' ? 'boolean' : 'string' };
  return specs;
}

export function parseCli(argv: string[]): CliArgs {
  const specs = optionSpecs();
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: specs, allowPositionals: true, allowNegative: true, strict: true } as Parameters<typeof parseArgs>[0] & { allowNegative: boolean });
  } catch (error) {
    throw new InputError([flagProblem((error as Error).message, specs)]);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const [kind = 'app', ...extra] = parsed.positionals;
  const named = parsed.positionals.length > 0;
  if ((kind !== 'app' && kind !== 'pipeline') || extra.length > 0) {
    const typed = [kind, ...extra].join(' ');
    const meant = closest(kind, ['app', 'pipeline']);
    const hint = meant && extra.length === 0 ? ` (did you mean \`${BIN_COMMANDS[meant as GeneratorKind]}\`?)` : '';
    throw new InputError([`unknown command "${typed}"${hint}: use \`chalice-pipeline [app|pipeline] [options]\` (see --help)`]);
  }
  if (values.answers === '') throw new InputError(['--answers needs a file name (JSON, or YAML for .yml/.yaml)']);
  const flags: PartialAnswers = {};
  for (const setting of SETTINGS) {
    const value = values[setting.flag];
    if (value !== undefined) flags[setting.key] = value;
  }
  return {
    kind, named, flags, answers: values.answers as string | undefined,
    defaults: Boolean(values.defaults), askAnswered: Boolean(values['ask-answered']), force: Boolean(values.force), dryRun: Boolean(values['dry-run']), diff: Boolean(values.diff),
    skipInstall: Boolean(values['skip-install']), skipGit: Boolean(values['skip-git']), help: Boolean(values.help),
    version: Boolean(values.version),
  };
}

/** parseArgs' complaint as one line with the way out (the nearest flag, the --flag=-value form, --no-flag). */
function flagProblem(message: string, specs: Record<string, OptionSpec>): string {
  const unknown = /^Unknown option '(-{1,2}[^']*)'/.exec(message)?.[1];
  if (unknown) {
    // A short option (-x) is no misspelt long one: no guess (it would be any two-letter flag, such as --ci).
    const hint = unknown.startsWith('--') ? closest(unknown.replace(/^-+/, ''), Object.keys(specs)) : undefined;
    return `unknown option ${unknown}${hint ? ` (did you mean --${hint}?)` : ''}; see --help`;
  }
  const flag = /'(--?[A-Za-z0-9-]+)/.exec(message)?.[1] ?? '';
  if (/argument is ambiguous/.test(message)) {
    return `${flag} needs a value; to give a value that starts with "-" write ${flag}=-VALUE; see --help`;
  }
  if (/argument missing/.test(message)) return `${flag} needs a value; see --help`;
  if (/does not take an argument/.test(message)) {
    return `${flag} takes no value: write ${flag} for true or --no-${flag.replace(/^-+/, '')} for false; see --help`;
  }
  return `${message.split('\n')[0]}; see --help`;
}

/** Flags `yo` and its environment handle themselves (`yo --help` lists them): never ours to refuse. */
const YO_OWN_FLAGS = ['help', 'h', 'force', 'f', 'version', 'color', 'generators', 'local-only', 'debug', 'environment-version', 'skip-cache', 'force-install', 'skip-install', 'ask-answered', 'dry-run'];

/**
 * What `yo` passed on without a word (it accepts any flag): unknown flags and arguments, as the bin would say them.
 * argv: yo's arguments (the generator's namespace first); declared: our flags; booleans: those with a --no- form.
 */
export function yoCommandLineProblems(argv: readonly string[], args: readonly string[], declared: readonly string[], booleans: ReadonlySet<string>, commands: Commands): string[] {
  const problems: string[] = [];
  const known = new Set([...declared, ...YO_OWN_FLAGS]);
  for (const token of argv) {
    if (token === '--') break;
    if (!token.startsWith('-') || /^-\d/.test(token)) continue;
    const name = token.replace(/^-+/, '').split('=')[0]!;
    const negated = name.startsWith('no-') && (booleans.has(name.slice(3)) || name === 'no-color');
    if (known.has(name) || negated) continue;
    const hint = closest(name.replace(/^no-/, ''), declared);
    problems.push(`unknown option ${token.split('=')[0]}${hint ? ` (did you mean --${hint}?)` : ''}; see --help`);
  }
  for (const argument of args) {
    const meant = closest(argument, ['app', 'pipeline']) as GeneratorKind | undefined;
    problems.push(`unknown command "${argument}"${meant ? ` (did you mean \`${commands[meant]}\`?)` : ''}: the generators take no arguments, only options (see --help)`);
  }
  return problems;
}

const row = (flag: string, text: string) => `  ${flag.padEnd(30)} ${text}`;
const example = (command: string, text: string) => `  ${command}   # ${text}`;

/** Each string answer as its placeholder (<appName>), for derived defaults in words. */
const PLACEHOLDERS: PartialAnswers = Object.fromEntries(SETTINGS.filter((s) => s.kind === 'string').map((s) => [s.key, `<${s.key}>`]));

/** What the pipeline command reads from the repository before any default (answersFromRepository). */
const FOUND_IN_REPOSITORY: Partial<Record<string, string>> = {
  appName: 'app_name of .chalice/config.json',
  pythonVersion: '.python-version',
  branch: 'the checked-out branch',
};

/** What a setting defaults to, in words (derived defaults shown as <appName>-pipeline, <approvalEmail>). */
function defaultInWords(setting: Setting, kind: GeneratorKind): string {
  const found = kind === 'pipeline' ? FOUND_IN_REPOSITORY[setting.key] : undefined;
  if (found) {
    const rest = setting.defaultValue?.(PLACEHOLDERS, {});
    return rest === undefined ? found : `${found}, else ${String(rest)}`;
  }
  const fallback = setting.defaultValue?.(PLACEHOLDERS, {});
  if (fallback === undefined) return setting.optional ? 'none' : 'required';
  const origins = ['AWS_REGION', 'AWS_DEFAULT_REGION'].map((name) => setting.defaultOrigin?.({ [name]: 'x' })).filter(Boolean);
  return origins.length > 0 ? `${origins.join(', ')}, else ${String(fallback)}` : String(fallback);
}

/** Flags, answers with their defaults and choices, and exit codes: the part of --help both routes share. */
function optionsHelp(commands: Commands, kind: GeneratorKind): string[] {
  return [
    'Options:',
    ...Object.entries(RUN_FLAGS).map(([flag, { type, description }]) => row(`--${flag}${type === 'string' ? ' FILE' : ''}`, description)),
    '',
    'Answers (flag = answers-file key in camelCase; flags > answers file > .yo-rc.json > defaults):',
    ...SETTINGS.flatMap((s) => [
      row(s.kind === 'boolean' ? `--[no-]${s.flag}` : `--${s.flag} VALUE`, `${s.description} (default: ${defaultInWords(s, kind)})`),
      ...(s.kind === 'choice' ? [row('', `one of: ${s.choices!.join(', ')}`)] : []),
    ]),
    '',
    'Asks nothing when --answers or --defaults is given or stdin is not a terminal; a missing answer is then an',
    'error naming its flag. The pipeline details are asked after "Customise the pipeline?" (defaults otherwise).',
    `Saved answers (.yo-rc.json) are reused: re-run \`${commands.pipeline}\` to upgrade the pipeline later.`,
    'Exit codes: 0 done, 1 internal error, 2 invalid input (nothing written), 3 refused to overwrite (nothing written).',
  ];
}

const ABOUT: Record<GeneratorKind, string> = {
  app: 'create a new Chalice repository that deploys itself through a tested CodePipeline (unit tests, beta, integration tests, approval, production)',
  pipeline: 'add or upgrade the pipeline in the Chalice repository around the current folder (any folder inside it)',
};

/** --help of one generator under `yo` or yeoman-environment. */
export function generatorHelp(kind: GeneratorKind, commands: Commands): string {
  const command = commands[kind];
  return [
    `Usage: ${command} [options]`,
    '',
    `${ABOUT[kind][0]!.toUpperCase()}${ABOUT[kind].slice(1)}.`,
    '',
    'Examples:',
    example(command, 'ask in a terminal (the defaults on Enter)'),
    example(`${command} --defaults --dry-run`, 'show what would be written, write nothing'),
    example(`${command} --answers answers.yml`, 'answers from a file, no questions (CI)'),
    example(`${command} --ask-answered`, 'revisit the answers saved in .yo-rc.json'),
    ...(kind === 'app' ? [example(`${command} --app-name orders --defaults`, 'a new app in ./orders with every default')] : [example(`${command} --force`, 'overwrite generated files you changed')]),
    '',
    ...optionsHelp(commands, kind),
    'Yeoman options that do nothing here (--skip-cache, --force-install) are accepted and ignored.',
  ].join('\n');
}

/** --help of the bin; `chalice-pipeline pipeline --help` (or `app --help`): that command's help. */
export function usage(kind?: GeneratorKind): string {
  if (kind) return generatorHelp(kind, BIN_COMMANDS).split('\nYeoman options')[0]!;
  return [
    'Usage: chalice-pipeline [app|pipeline] [options]',
    '',
    `  app       ${ABOUT.app} (default)`,
    `  pipeline  ${ABOUT.pipeline}`,
    '',
    'Examples:',
    example('chalice-pipeline', 'ask in a terminal (the defaults on Enter)'),
    example('chalice-pipeline --app-name orders --defaults', 'a new app in ./orders with every default'),
    example('chalice-pipeline pipeline --answers answers.yml', 'add the pipeline from an answers file (CI)'),
    example('chalice-pipeline pipeline --dry-run', 'show what would change, write nothing'),
    '',
    ...optionsHelp(BIN_COMMANDS, 'app'),
  ].join('\n');
}
