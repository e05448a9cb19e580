// The questions a terminal run asks: short questions, pipeline details behind "Customise the pipeline?",
// --ask-answered revisiting saved answers, and an optional answer left blank that stays answered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeAnswers } from '../lib/answers/answers.js';
import { CUSTOMISE, questionsFor, type Question } from '../lib/answers/prompts.js';
import { SETTINGS, type PartialAnswers } from '../lib/answers/settings.js';

const context = { env: {}, cwd: '/tmp/orders' };

/** The names of the questions asked when every question is answered by the given answers or its default. */
function asked(questions: Question[], answers: Record<string, unknown>): string[] {
  const so: PartialAnswers = {};
  const names: string[] = [];
  for (const question of questions) {
    if (!question.when(so)) continue;
    names.push(question.name);
    (so as Record<string, unknown>)[question.name] = question.name in answers ? answers[question.name] : question.default(so);
  }
  return names;
}

describe('questions', () => {
  it('every setting has a short question, and every choice a label or its value', () => {
    for (const setting of SETTINGS) {
      const worded = typeof setting.question === 'string' ? [setting.question]
        : [{}, { source: 'github' }, { source: 'gitlab' }, { approvalEmail: 'a@example.com' }].map((known) => (setting.question as (k: PartialAnswers) => string)(known));
      for (const question of worded) assert.match(question, /^[A-Z][^\n]{2,80}\?/, setting.key);
    }
  });

  it('the pipeline details wait behind the customise question', () => {
    const questions = questionsFor(mergeAnswers({}, {}), context);
    const main = asked(questions, { [CUSTOMISE]: false });
    assert.deepEqual(main, ['appName', 'pythonVersion', 'region', 'ci', 'source', CUSTOMISE]);
    const all = asked(questions, { [CUSTOMISE]: true });
    const byDefault = { ci: 'codepipeline', source: 'codecommit', production: true, manualApproval: true } as const;
    for (const setting of SETTINGS.filter((s) => s.pipelineDetail && (!s.applies || s.applies(byDefault)))) assert.ok(all.includes(setting.key), setting.key);
  });

  it('"Stages?" in the customise section: a list answered there replaces the two-stage questions', () => {
    const questions = questionsFor(mergeAnswers({ flags: { appName: 'orders' } }, {}), context);
    const shorthand = SETTINGS.filter((s) => s.shorthand).map((s) => s.key);
    const listed = asked(questions, { [CUSTOMISE]: true, stages: 'dev,staging,prod' });
    assert.ok(listed.includes('stages'));
    assert.deepEqual(listed.filter((name) => (shorthand as string[]).includes(name)), []);
    assert.ok(listed.includes('approvalEmail'));
    // Left blank, the two-stage questions follow as before.
    const blank = asked(questions, { [CUSTOMISE]: true, stages: '' });
    for (const key of ['integrationTests', 'production', 'manualApproval', 'prodDeployment']) assert.ok(blank.includes(key), key);
    const stages = questions.find((question) => question.name === 'stages')!;
    assert.equal(stages.message, 'Stages? (names in promotion order, separated by commas; Enter: beta, prod)');
    assert.match(String(stages.validate!('dev,Prod', {})), /stage "Prod" has an invalid name/);
  });

  it('a detail without a default is asked without the gate (a GitHub repository)', () => {
    const questions = questionsFor(mergeAnswers({ flags: { appName: 'orders' } }, {}), context);
    assert.deepEqual(asked(questions, { source: 'github', [CUSTOMISE]: false }), ['pythonVersion', 'region', 'ci', 'source', CUSTOMISE, 'repository']);
  });

  it('an external CI asks no CodePipeline question: not the source, stack, image, type, e-mails or self-update', () => {
    const questions = questionsFor(mergeAnswers({ flags: { appName: 'orders' } }, {}), context);
    assert.deepEqual(asked(questions, { ci: 'github-actions', [CUSTOMISE]: false }), ['pythonVersion', 'region', 'ci', CUSTOMISE, 'repository']);
    const all = asked(questions, { ci: 'gitlab-ci', [CUSTOMISE]: true });
    for (const key of ['source', 'connectionArn', 'pipelineStackName', 'codebuildImage', 'pipelineType', 'approvalEmail', 'notificationEmail', 'selfUpdate']) assert.ok(!all.includes(key), key);
    for (const key of ['repository', 'branch', 'unitTests', 'integrationTests', 'production', 'manualApproval', 'prodDeployment', 'prodAccountId']) assert.ok(all.includes(key), key);
  });

  it('saved answers are not asked; --ask-answered asks them again with the saved values as defaults', () => {
    const saved = { appName: 'orders', branch: 'release', approvalEmail: '' };
    const resolution = mergeAnswers({ saved }, {});
    assert.ok(!asked(questionsFor(resolution, context), {}).includes('branch'));
    const again = questionsFor(resolution, { ...context, askAnswered: true });
    const names = asked(again, {});
    assert.ok(names.includes('appName') && names.includes('branch') && names.includes('approvalEmail'), names.join());
    assert.equal(again.find((q) => q.name === 'branch')!.default({}), 'release');
    assert.equal(again.find((q) => q.name === 'appName')!.default({}), 'orders');
  });

  it('an optional answer left blank is valid, saved as "" and not asked again', () => {
    const email = questionsFor(mergeAnswers({}, {}), context).find((q) => q.name === 'approvalEmail')!;
    assert.equal(email.validate!('', {}), true);
    assert.match(String(email.validate!('not-an-email', {})), /approvalEmail "not-an-email" is invalid/);
    const resolution = mergeAnswers({ saved: { appName: 'orders', approvalEmail: '' } }, {});
    assert.ok(resolution.given.has('approvalEmail'));
    assert.ok(!asked(questionsFor(resolution, context), { [CUSTOMISE]: true }).includes('approvalEmail'));
  });

  it('every question fits the answers before it: the repository after choosing GitHub or CodeCommit', () => {
    const repository = questionsFor(mergeAnswers({ flags: { appName: 'orders' } }, {}), context).find((q) => q.name === 'repository')!;
    const message = repository.message as (answers: PartialAnswers) => string;
    assert.equal(message({ source: 'github' }), 'GitHub repository? (owner/repo)');
    assert.equal(message({ source: 'codecommit' }), 'CodeCommit repository name?');
    assert.doesNotMatch(message({ source: 'bitbucket' }), /CodeCommit/);
  });

  it('"Enter: none" means none for the failure e-mail; with an approval address Enter takes it and "none" is none', () => {
    const failure = questionsFor(mergeAnswers({ flags: { appName: 'orders' } }, {}), context).find((q) => q.name === 'notificationEmail')!;
    const message = failure.message as (answers: PartialAnswers) => string;
    assert.match(message({}), /\(Enter: none\)/);
    assert.equal(failure.default({}), undefined, 'no approval address: Enter gives none');
    assert.match(message({ approvalEmail: 'ops@example.com' }), /\(Enter: ops@example\.com; none: type none\)/);
    assert.equal(failure.default({ approvalEmail: 'ops@example.com' }), 'ops@example.com');
    assert.equal(failure.filter!('none'), '');
    assert.equal(failure.validate!('none', {}), true);
    const resolution = mergeAnswers({ flags: { appName: 'orders', approvalEmail: 'ops@example.com', notificationEmail: 'none' } }, {});
    assert.equal(resolution.known.notificationEmail, '');
  });

  it('an account id typed as the console shows it (dashes, spaces) is accepted and saved as 12 digits', () => {
    const account = questionsFor(mergeAnswers({ flags: { appName: 'orders' } }, {}), context).find((q) => q.name === 'betaAccountId')!;
    assert.equal(account.validate!('2222-2222-2222', {}), true);
    assert.equal(account.filter!('2222 2222 2222'), '222222222222');
    assert.match(String(account.validate!('2222-2222-222', {})), /exactly 12 digits/);
    const resolution = mergeAnswers({ flags: { appName: 'orders', betaAccountId: '2222-2222-2222' } }, {});
    assert.equal(resolution.known.betaAccountId, '222222222222');
  });
});
