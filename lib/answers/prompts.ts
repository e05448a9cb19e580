// Questions for the answers no flag, file, saved config or repository gave (inquirer format, asked by Yeoman).
// The main answers come first; the pipeline details wait behind one "Customise the pipeline?" question.
import { basename } from 'node:path';
import { normalised, problemWith, type Resolution } from './answers.js';
import { appNameRule } from './rules.js';
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
