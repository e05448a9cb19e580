// The questions a terminal run asks: short questions, pipeline details behind "Customise the pipeline?",
// --ask-answered revisiting saved answers, and an optional answer left blank that stays answered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finishAnswers, mergeAnswers, savedForm } from '../lib/answers/answers.js';
import { CUSTOMISE, askAll, questionsFor, stageQuestionsFor, type Question } from '../lib/answers/prompts.js';
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

/**
 * A terminal as inquirer runs it: each question asked in turn, the typed values taken in order (one left out: Enter,
 * the default), a value the validation refuses re-asked with the message shown (collected in `shown`).
 */
function typing(typed: Record<string, unknown[]>, shown: string[]) {
  return async (questions: Question[]): Promise<PartialAnswers> => {
    const so: PartialAnswers = {};
    for (const question of questions) {
      if (!question.when(so)) continue;
      for (;;) {
        const queue = typed[question.name] ?? [];
        const enter = queue.length === 0;
        const value = (enter ? question.default(so) : queue.shift()) as never;
        const valid = question.validate ? question.validate(value, so) : true;
        if (valid !== true && enter) throw new Error(`${question.name}: Enter refused: ${valid}`);
        if (valid !== true) { shown.push(`${question.name}: ${valid}`); continue; }
        (so as Record<string, unknown>)[question.name] = question.filter ? question.filter(value) : value;
        break;
      }
    }
    return so;
  };
}

/** The answers a terminal run ends with, as .yo-rc.json saves them. */
async function savedAfter(typed: Record<string, unknown[]>, shown: string[] = []): Promise<PartialAnswers> {
  const flags = { appName: 'orders', region: 'eu-west-1' };
  const resolution = mergeAnswers({ flags }, {});
  const asked = await askAll(typing({ [CUSTOMISE]: [true], approvalEmail: ['ops@example.com'], ...typed }, shown), resolution, context);
  return savedForm(finishAnswers(mergeAnswers({ flags: { ...asked, ...flags } }, {})).answers);
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

  it('after "Stages?", each stage is asked what differs from the defaults; the list saved holds only that', async () => {
    const shown: string[] = [];
    const saved = await savedAfter({
      stages: ['dev,staging,prod'],
      'staging/account': ['3333-3333-3333'], 'staging/tests': [true], 'dev/tests': [false],
      'prod/account': ['222222222222'], 'prod/region': ['us-east-1'], 'prod/deployment': ['Canary10Percent5Minutes'],
    }, shown);
    assert.deepEqual(saved.stages, [
      { name: 'dev' },
      { name: 'staging', account: '333333333333', tests: true },
      { name: 'prod', account: '222222222222', region: 'us-east-1', approval: true, deployment: 'Canary10Percent5Minutes' },
    ]);
    assert.deepEqual(shown, []);
    for (const key of ['production', 'manualApproval', 'integrationTests', 'prodAccountId']) assert.ok(!(key in saved), key);
  });

  it('Enter at every stage question: tests against the first stage, an approval before the last, the pipeline\'s place', async () => {
    assert.deepEqual((await savedAfter({ stages: ['dev,staging,prod'] })).stages, [{ name: 'dev', tests: true }, { name: 'staging' }, { name: 'prod', approval: true }]);
    // One stage: nothing before it to approve, so no approval question.
    assert.deepEqual((await savedAfter({ stages: ['live'] })).stages, [{ name: 'live', tests: true }]);
    assert.deepEqual((await savedAfter({ stages: ['live'], 'live/approval': [true] })).stages, [{ name: 'live', tests: true }], 'not asked, so not taken');
  });

  it('a bad stage account or region is asked again with the rule, as the answers file would say it (the account as normalised)', async () => {
    const shown: string[] = [];
    const saved = await savedAfter({ stages: ['dev,prod'], 'prod/account': ['2222-2222-222', '2222 2222 2222'], 'dev/region': ['mars-1', 'eu-central-1'] }, shown);
    assert.equal(shown.length, 2, shown.join('\n'));
    assert.match(shown[0], /^dev\/region: stages: stage "dev" has an invalid region "mars-1": /);
    assert.match(shown[1], /^prod\/account: stages: stage "prod" has an invalid account "22222222222": must be an AWS account id: exactly 12 digits/);
    assert.deepEqual(saved.stages, [{ name: 'dev', region: 'eu-central-1', tests: true }, { name: 'prod', account: '222222222222', approval: true }]);
  });

  it('the stage questions say the defaults and that a wave belongs in the answers file', () => {
    const questions = stageQuestionsFor('dev,prod', { region: 'eu-west-1' });
    assert.deepEqual(questions.map((q) => q.name), ['dev/account', 'dev/region', 'dev/tests', 'dev/deployment', 'prod/account', 'prod/region', 'prod/approval', 'prod/tests', 'prod/deployment']);
    for (const question of questions) assert.match(String(question.message), /^Stage (dev|prod): [^\n]{2,120}\?/);
    assert.match(String(questions[0].message), /Enter: the pipeline's own; .*wave, in the answers file/);
    assert.deepEqual(questions.find((q) => q.name === 'prod/deployment')!.choices!.map((c) => c.value), SETTINGS.find((s) => s.key === 'prodDeployment')!.choices);
  });
});
