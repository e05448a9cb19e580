// Questions for the answers no flag, file, saved config or repository gave (inquirer format, asked by Yeoman).
// The main answers come first; the pipeline details wait behind one "Customise the pipeline?" question.
import { basename } from 'node:path';
import { normalised, problemWith, type Resolution } from './answers.js';
import { appNameRule } from './rules.js';
import { parseStages, stageListProblems, type StageAnswer } from './stage-list.js';
import { SETTINGS, type AnswerValue, type PartialAnswers, type Setting } from './settings.js';

export interface Question {
  type: 'input' | 'confirm' | 'select';
  name: string;
  message: string | ((answers: PartialAnswers) => string);
  choices?: { name: string; value: string }[];
  when: (answers: PartialAnswers) => boolean;
  default: (answers: PartialAnswers) => AnswerValue | undefined;
  validate?: (value: AnswerValue, answers: PartialAnswers) => true | string;
  filter?: (value: AnswerValue) => AnswerValue;
}

/** The name of the gate question; its answer is not an answer of ours (never saved nor merged). */
export const CUSTOMISE = 'customise';

export interface AskContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** --ask-answered: ask the answers saved in .yo-rc.json again, with the saved values as defaults. */
  askAnswered?: boolean;
}

export function questionsFor(resolution: Resolution, context: AskContext): Question[] {
  const known = (answers: PartialAnswers): PartialAnswers => ({ ...resolution.known, ...answers });
  const folderName = basename(context.cwd);
  // A saved stage list holds details a line of names cannot show: it is changed in .yo-rc.json, not asked again.
  const open = SETTINGS.filter((s) => !resolution.found.has(s.key)
    && (!resolution.given.has(s.key) || (context.askAnswered === true && resolution.saved?.has(s.key) === true && s.kind !== 'list')));
  const listed = (answers: PartialAnswers) => { const stages = known(answers).stages; return stages !== undefined && stages !== ''; };
  const defaultOf = (setting: Setting, answers: PartialAnswers): AnswerValue | undefined => {
    if (resolution.saved?.has(setting.key)) return resolution.known[setting.key];
    if (setting.key === 'appName') return appNameRule(folderName) ? undefined : folderName;
    return setting.defaultValue?.(known(answers), context.env);
  };
  const applies = (setting: Setting, answers: PartialAnswers) => !setting.applies || setting.applies(known(answers));
  // A detail is asked after a yes to the gate, when its answer is required anyway, or when --ask-answered revisits it.
  const detailAsked = (setting: Setting, answers: PartialAnswers) => answers[CUSTOMISE as never] === true
    || (resolution.saved?.has(setting.key) ?? false)
    || (!setting.optional && defaultOf(setting, answers) === undefined);
  const details = open.filter((s) => s.pipelineDetail);
  const gate: Question[] = details.length === 0 ? [] : [{
    type: 'confirm', name: CUSTOMISE, message: 'Customise the pipeline? (branch, stages, tests, build image, ...)',
    when: (answers) => details.some((s) => applies(s, answers) && !resolution.saved?.has(s.key)),
    default: () => false,
  }];
  const question = (setting: Setting): Question => ({
    type: setting.kind === 'boolean' ? 'confirm' : setting.kind === 'choice' ? 'select' : 'input',
    name: setting.key,
    message: typeof setting.question === 'string' ? setting.question : (answers) => (setting.question as (known: PartialAnswers) => string)(known(answers)),
    ...(setting.kind === 'choice'
      ? { choices: setting.choices!.map((value) => ({ name: setting.choiceLabels?.[value] ?? value, value })) }
      : {}),
    // With a stage list, the keys of the two-stage shape are the list's to say.
    when: (answers) => applies(setting, answers) && (!setting.pipelineDetail || detailAsked(setting, answers)) && !(setting.shorthand && listed(answers)),
    default: (answers) => defaultOf(setting, answers),
    // An optional answer left blank is an answer too: saved as "" and not asked again.
    validate: (value, answers) => problemWith(setting, value, known(answers)) ?? true,
    ...(setting.normalise ? { filter: (value: AnswerValue) => normalised(setting, value) } : {}),
  });
  return [...open.filter((s) => !s.pipelineDetail).map(question), ...gate, ...details.map(question)];
}

/** The field of one stage a per-stage question answers; its name is `<stage>/<field>` (no "." for inquirer's paths). */
const STAGE_FIELDS = ['account', 'region', 'approval', 'tests', 'deployment'] as const;
type StageField = (typeof STAGE_FIELDS)[number];
const stageQuestionName = (stage: string, field: StageField) => `${stage}/${field}`;

/**
 * After "Stages?" named the stages: per stage, what the list would otherwise leave to its defaults. Enter keeps the
 * default; the answers are checked by the stage list's own rules (stage-list.ts) and normalised like the two-stage keys.
 * A wave (several targets) is an answers-file feature.
 */
export function stageQuestionsFor(names: string, known: PartialAnswers): Question[] {
  const stages = parseStages(names).stages ?? [];
  const region = typeof known.region === 'string' ? known.region : undefined;
  const setting = (key: string) => SETTINGS.find((s) => s.key === key)!;
  const account = setting('betaAccountId');
  const deployment = setting('prodDeployment');
  return stages.flatMap(({ name }, index): Question[] => {
    // The stage's own rules, for the one field typed: the same message an answers file gets.
    const checked = (field: StageField) => (value: AnswerValue) => {
      const typed = field === 'account' ? normalised(account, value) : value;
      if (typed === '') return true;
      const problems = stageListProblems([{ name, [field]: typed }], region);
      return problems.length === 0 ? true : problems.join('; ');
    };
    // A yes or no needs no check (the one rule, no approval on the first stage, is kept by not asking it there).
    const ask = (field: StageField, rest: Omit<Question, 'name' | 'when' | 'validate'>): Question => ({
      name: stageQuestionName(name, field), when: () => true, ...(rest.type === 'confirm' ? {} : { validate: checked(field) }), ...rest,
    });
    return [
      ask('account', {
        type: 'input', message: `Stage ${name}: AWS account? (Enter: the pipeline's own; several accounts/regions at once: a wave, in the answers file)`,
        default: () => '', filter: (value) => normalised(account, value),
      }),
      ask('region', { type: 'input', message: `Stage ${name}: AWS region? (Enter: the pipeline's region)`, default: () => '' }),
      // An approval on the first stage would have nothing deployed to review (stage-list.ts refuses it).
      ...(index === 0 ? [] : [ask('approval', { type: 'confirm', message: `Stage ${name}: manual approval before it deploys?`, default: () => index === stages.length - 1 })]),
      ask('tests', { type: 'confirm', message: `Stage ${name}: run tests/integration against it?`, default: () => index === 0 }),
      ask('deployment', {
        type: 'select', message: `Stage ${name}: how does it take a new version?`, default: () => 'AllAtOnce',
        choices: deployment.choices!.map((value) => ({ name: deployment.choiceLabels?.[value] ?? value, value })),
      }),
    ];
  });
}

/** The stage list the per-stage answers give: only the keys that differ from a stage's defaults (as saved in .yo-rc.json). */
export function stageListFrom(names: string, answers: PartialAnswers): StageAnswer[] {
  const given = answers as Record<string, AnswerValue | undefined>;
  return (parseStages(names).stages ?? []).map(({ name }) => {
    const value = (field: StageField) => given[stageQuestionName(name, field)];
    const stage: StageAnswer = { name };
    const account = value('account');
    const region = value('region');
    const deployment = value('deployment');
    if (typeof account === 'string' && account !== '') stage.account = account;
    if (typeof region === 'string' && region !== '') stage.region = region;
    if (value('approval') === true) stage.approval = true;
    if (value('tests') === true) stage.tests = true;
    if (typeof deployment === 'string' && deployment !== 'AllAtOnce') stage.deployment = deployment as StageAnswer['deployment'];
    return stage;
  });
}

/** Every question a terminal run asks: the main and pipeline questions, then each named stage's details. */
export async function askAll(
  prompt: (questions: Question[]) => Promise<PartialAnswers>, resolution: Resolution, context: AskContext,
): Promise<PartialAnswers> {
  const answers = await prompt(questionsFor(resolution, context));
  const names = answers.stages;
  if (typeof names !== 'string' || names === '') return answers;
  const details = await prompt(stageQuestionsFor(names, { ...resolution.known, ...answers }));
  return { ...answers, stages: stageListFrom(names, details) };
}
