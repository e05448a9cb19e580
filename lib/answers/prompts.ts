// Questions for the answers no flag, file, saved config or repository gave (inquirer format, asked by Yeoman).
import { basename } from 'node:path';
import { problemWith, type Resolution } from './answers.js';
import { appNameRule } from './rules.js';
import { SETTINGS, type AnswerValue, type PartialAnswers } from './settings.js';

export interface Question {
  type: 'input' | 'confirm' | 'select';
  name: string;
  message: string;
  choices?: string[];
  when: (answers: PartialAnswers) => boolean;
  default: (answers: PartialAnswers) => AnswerValue | undefined;
  validate: (value: AnswerValue, answers: PartialAnswers) => true | string;
  filter?: (value: AnswerValue) => AnswerValue | undefined;
}

export function questionsFor(resolution: Resolution, context: { env: NodeJS.ProcessEnv; cwd: string }): Question[] {
  const known = (answers: PartialAnswers): PartialAnswers => ({ ...resolution.known, ...answers });
  const folderName = basename(context.cwd);
  return SETTINGS.filter((s) => !resolution.given.has(s.key) && !resolution.found.has(s.key)).map((setting) => ({
    type: setting.kind === 'boolean' ? 'confirm' : setting.kind === 'choice' ? 'select' : 'input',
    name: setting.key,
    message: `${setting.description}${setting.optional ? ' (optional, Enter to skip)' : ''}`,
    ...(setting.kind === 'choice' ? { choices: [...setting.choices!] } : {}),
    when: (answers) => !setting.applies || setting.applies(known(answers)),
    default: (answers) => {
      if (setting.key === 'appName') return appNameRule(folderName) ? undefined : folderName;
      return setting.defaultValue?.(known(answers), context.env) ?? resolution.known[setting.key];
    },
    validate: (value, answers) => {
      if (setting.optional && value === '') return true;
      return problemWith(setting, value, known(answers)) ?? true;
    },
    ...(setting.optional ? { filter: (value: AnswerValue) => (value === '' ? undefined : value) } : {}),
  }));
}
