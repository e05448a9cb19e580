// The `stages` answer: a flag of names or a list in the answers file, checked (exit 2 naming the stage and the rule),
// today's keys as the details of stages beta and prod, and the release model every renderer reads.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { finishAnswers, mergeAnswers, savedForm, type AnswerLayers } from '../lib/answers/answers.js';
import { describeProject } from '../lib/answers/project.js';
import type { PartialAnswers } from '../lib/answers/settings.js';
import { releaseFromAnswers, releaseFromShorthand } from '../lib/answers/release.js';
import { CODEPIPELINE_QUOTAS, pipelineStageCount } from '../lib/answers/stage-list.js';
import { BETA_ACCOUNT, PROD_ACCOUNT, STAGES_EXAMPLE, answersMatrix, newRepositoryFiles, projectFor, runCli, tempDir, templateFor as projectTemplate } from './support/tools.js';

/** The problems of some answers (exit 2), or [] when they are accepted. */
function problems(layers: AnswerLayers): string[] {
  try {
    finishAnswers(mergeAnswers({ ...layers, flags: { appName: 'orders', region: 'us-east-1', ...layers.flags } }, {}));
    return [];
  } catch (error) {
    return (error as { problems?: string[] }).problems ?? [String(error)];
  }
}

const release = (layers: AnswerLayers) => {
  const { answers } = finishAnswers(mergeAnswers({ ...layers, flags: { appName: 'orders', region: 'us-east-1', ...layers.flags } }, {}));
  return { answers, release: describeProject(answers).release };
};

/** 17 targets: nine regions in this account and eight in another. */
const WAVE_OF_17 = ['us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1']
  .flatMap((region) => [{ region }, { account: PROD_ACCOUNT, region }]).slice(0, 17);

describe('stages: the promotion path as a list', () => {
  it('without stages, every answer set of the suite is exactly the two-stage list of before (ids Beta, Prod)', () => {
    for (const answers of answersMatrix()) {
      const project = projectFor(answers);
      assert.deepEqual(project.release, releaseFromShorthand(project));
      assert.deepEqual(project.release.stages.map((stage) => stage.id), answers.production === false ? ['Beta'] : ['Beta', 'Prod']);
    }
  });

  it("the issue's example: three stages, staging tested in its account, prod approved, canary, a wave of two regions", () => {
    const { release: { stages } } = release({ file: { stages: STAGES_EXAMPLE } });
    assert.deepEqual(releaseFromAnswers({ ...projectFor({ region: 'us-east-1' }), stages: STAGES_EXAMPLE }).stages, stages);
    assert.deepEqual(stages.map((stage) => [stage.name, stage.id, stage.approval, stage.tests, stage.deployment]), [
      ['dev', 'Dev', false, false, 'AllAtOnce'],
      ['staging', 'Staging', false, true, 'AllAtOnce'],
      ['prod', 'Prod', true, false, 'Canary10Percent5Minutes'],
    ]);
    assert.deepEqual(stages[1].targets, [{ id: 'Staging', accountId: BETA_ACCOUNT, region: undefined }]);
    // us-east-1 is the pipeline's region: that target has no region of its own.
    assert.deepEqual(stages[2].targets, [
      { id: 'ProdEuWest1', accountId: PROD_ACCOUNT, region: 'eu-west-1' },
      { id: 'ProdUsEast1', accountId: PROD_ACCOUNT, region: undefined },
    ]);
  });

  it('the flag gives the names; saved two-stage keys give beta and prod their details; the list is saved instead of them', () => {
    const saved = { production: true, manualApproval: true, integrationTests: true, prodAccountId: PROD_ACCOUNT, prodDeployment: 'Canary10Percent5Minutes' };
    const { answers, release: { stages } } = release({ flags: { stages: 'beta,prod' }, saved });
    assert.deepEqual(stages.map((stage) => [stage.id, stage.tests, stage.approval, stage.deployment, stage.targets[0].accountId]), [
      ['Beta', true, false, 'AllAtOnce', undefined],
      ['Prod', false, true, 'Canary10Percent5Minutes', PROD_ACCOUNT],
    ]);
    // Exactly what the saved keys alone gave: the same project for every renderer.
    const before = release({ saved });
    assert.deepEqual(stages, before.release.stages);
    const form = savedForm(answers);
    for (const key of Object.keys(saved)) assert.ok(!(key in form), `${key} saved beside stages`);
    assert.deepEqual(form.stages, [{ name: 'beta', tests: true }, { name: 'prod', account: PROD_ACCOUNT, approval: true, deployment: 'Canary10Percent5Minutes' }]);
    // Saved again, the list replays as it is.
    assert.deepEqual(release({ saved: form }).release.stages, stages);
    // Upgrading to a longer list: beta and prod keep their details, dev is new.
    const upgraded = release({ flags: { stages: 'dev,beta,prod' }, saved }).release.stages;
    assert.deepEqual(upgraded.slice(1), stages);
    assert.deepEqual(upgraded[0], { name: 'dev', id: 'Dev', targets: [{ id: 'Dev', accountId: undefined, region: undefined }], approval: false, tests: false, deployment: 'AllAtOnce' });
  });

  const refused: [string, AnswerLayers, RegExp][] = [
    ['a name Chalice, CloudFormation or CodePipeline refuses', { flags: { stages: 'dev,Prod_1' } }, /stage "Prod_1" has an invalid name: lower case letters/],
    ['a name of 21 characters', { flags: { stages: `dev,${'p'.repeat(21)}` } }, /at most 20 characters/],
    ['a duplicate', { flags: { stages: 'dev,prod,dev' } }, /stage "dev" is a duplicate/],
    ['two names with one id', { flags: { stages: 'eu-1,eu1' } }, /stage "eu1" is invalid: it and stage "eu-1" both become Eu1/],
    ['a name of a pipeline stage of its own', { flags: { stages: 'build,prod' } }, /stage "build" is invalid: the pipeline has a stage Build of its own/],
    ['an approval on the first stage', { file: { stages: [{ name: 'dev', approval: true }, { name: 'prod' }] } }, /stage "dev" is invalid: approval on the first stage has nothing deployed to review/],
    ['two targets in one account and region', { file: { stages: [{ name: 'prod', targets: [{ account: PROD_ACCOUNT }, { account: PROD_ACCOUNT, region: 'us-east-1' }] }] } }, /stage "prod" is invalid: two targets in one account and region \(222222222222, us-east-1\)/],
    ['account and targets together', { file: { stages: [{ name: 'prod', account: PROD_ACCOUNT, targets: [{ region: 'eu-west-1' }] }] } }, /stage "prod" is invalid: give either account\/region or targets/],
    ['a region of another partition', { file: { stages: [{ name: 'prod', region: 'cn-north-1' }] } }, /stage "prod" has an invalid region "cn-north-1": must be in the pipeline's partition/],
    ['an unknown deployment', { file: { stages: [{ name: 'prod', deployment: 'Canary50Percent' as never }] } }, /stage "prod" has an invalid deployment "Canary50Percent"/],
    ['more parallel actions than CodePipeline allows', {
      file: { stages: [{ name: 'prod', targets: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'sa-east-1', 'ca-central-1']
        .flatMap((region) => [{ region }, { account: PROD_ACCOUNT, region }]) }] },
    }, new RegExp(`stage "prod" has 32 targets: CodePipeline allows ${CODEPIPELINE_QUOTAS.actionsPerStage} actions in a stage`)],
    ['more targets than an approved stage\'s actions allow (a review each, and the approval)', {
      file: { stages: [{ name: 'dev' }, { name: 'prod', approval: true, targets: WAVE_OF_17 }] },
    }, /stage "prod" has 17 targets: CodePipeline allows 50 actions in a stage \(50 in parallel\), three per target \(change set, review, execute\) and the approval, so at most 16 targets/],
    ['more stages than CodePipeline allows', { file: { stages: Array.from({ length: 13 }, (_, i) => ({ name: `s${i}`, tests: true })) } }, /the pipeline would have 54 stages \(Source, Build, and per stage its deploy and tests, and the review and approval of the broadening gate before a stage without an approval\) and CodePipeline allows 50/],
    ['a stage named pipeline (the self-update\'s own review stage is ReviewPipeline)', { flags: { stages: 'dev,pipeline' } }, /stage "pipeline" is invalid: the pipeline has a stage Pipeline of its own/],
    ['a stage name too long for a long app name\'s shortened stack name', { flags: { appName: 'a'.repeat(40), stages: 'dev,integration-staging' } }, /stage "integration-staging" has too long a name for appName a{40} \(40 characters\): its stack name is shortened to 25 characters, so IntegrationStagingStack may have at most 17/],
    ['two stages the generated names cannot tell apart', { flags: { appName: 'a'.repeat(24), stages: 'staging,sandbox' } }, /stage "sandbox" is invalid with appName a{24}: the names CloudFormation generates keep only "a{24}S" of its stack name, as of stage "staging"'s/],
    ['a shorthand key given against the list', { flags: { prodAccountId: PROD_ACCOUNT }, file: { stages: [{ name: 'beta' }, { name: 'prod', account: BETA_ACCOUNT }] } }, /prodAccountId "222222222222" contradicts stages: stage prod has account "333333333333"/],
    ['a shorthand key of a stage the list lacks', { flags: { betaRegion: 'eu-west-1' }, file: { stages: [{ name: 'dev' }, { name: 'prod' }] } }, /betaRegion "eu-west-1" contradicts stages: it describes stage beta, which the list does not have/],
    ['production false with a prod stage', { flags: { production: false, stages: 'dev,prod' } }, /production false contradicts stages: it lists a stage prod/],
  ];
  for (const [name, layers, expected] of refused) {
    it(`refuses ${name}, naming the stage and the rule`, () => {
      const found = problems(layers);
      assert.ok(found.some((problem) => expected.test(problem)), found.join('\n') || 'accepted');
    });
  }

  it('agreeing shorthand keys and the list go together; a saved key the list contradicts is replaced, not an error', () => {
    assert.deepEqual(problems({ flags: { prodAccountId: PROD_ACCOUNT, manualApproval: true }, file: { stages: [{ name: 'beta' }, { name: 'prod', account: PROD_ACCOUNT, approval: true }] } }), []);
    const { release: { stages } } = release({ flags: { stages: 'beta' }, saved: { production: true, prodAccountId: PROD_ACCOUNT, integrationTests: true } });
    assert.deepEqual(stages.map((stage) => [stage.id, stage.tests]), [['Beta', true]]);
  });

  it('a two-stage list renders exactly the files its shorthand keys render (the list is saved instead of them)', () => {
    const list = newRepositoryFiles({ region: 'us-east-1', stages: [{ name: 'beta', account: BETA_ACCOUNT, tests: true }, { name: 'prod', approval: true, deployment: 'Canary10Percent5Minutes', region: 'eu-west-1' }] });
    const keys = newRepositoryFiles({ region: 'us-east-1', betaAccountId: BETA_ACCOUNT, integrationTests: true, manualApproval: true, prodDeployment: 'Canary10Percent5Minutes', prodRegion: 'eu-west-1' });
    assert.deepEqual([...list.keys()], [...keys.keys()]);
    // The README says to remove a target account from the list rather than from the keys; nothing else differs.
    const sameHint = (text: string) => text.replace("stage's `account` (or target) from `stages` in `.yo-rc.json`", '`betaAccountId` / `prodAccountId` from `.yo-rc.json`');
    for (const [path, text] of keys) if (path !== '.yo-rc.json') assert.equal(sameHint(list.get(path)!), text, path);
  });

  it('a stage named like one the pipeline or the CI adds for another is exit 2 naming the twice-held name; alone it is fine', () => {
    // beta's broadening gate is ReviewBeta (a stage and a namespace); a wave target's is Approve<Target>Broadening.
    assert.throws(() => newRepositoryFiles({ stages: [{ name: 'beta' }, { name: 'review-beta' }] }), /stages is invalid: the pipeline's stages would hold ReviewBeta twice: a stage is named like one added for another stage/);
    assert.throws(() => newRepositoryFiles({ region: 'us-east-1', stages: [{ name: 'dev' }, { name: 'qa', targets: [{ region: 'us-east-1' }, { region: 'eu-west-1' }] }, { name: 'qa-eu-west1' }] }), /stages would hold ApproveQaEuWest1Broadening twice[^]*namespaces would hold ReviewQaEuWest1, QaEuWest1StackOutputs twice/);
    // GitHub: the gate of stage x is the environment x-iam.
    assert.throws(() => newRepositoryFiles({ ci: 'github-actions', repository: 'acme/orders', stages: [{ name: 'x' }, { name: 'x-iam' }] }), /the workflow's environments would hold x-iam twice/);
    for (const answers of [{ stages: [{ name: 'dev' }, { name: 'review-app' }] }, { ci: 'gitlab-ci', repository: 'acme/orders', stages: [{ name: 'x' }, { name: 'x-iam' }] }] as PartialAnswers[]) {
      assert.ok(newRepositoryFiles(answers).size > 0);
    }
  });

  it('a list whose pipeline.json would not fit make deploy\'s inline template is exit 2, nothing written', () => {
    const stages = Array.from({ length: 16 }, (_, i) => ({ name: `s${i}`, account: PROD_ACCOUNT, region: i % 2 ? 'eu-west-1' : 'us-west-2', tests: true }));
    assert.throws(() => newRepositoryFiles({ region: 'us-east-1', approveBroadening: false, stages }), /stages is invalid: pipeline\.json for 16 targets in 16 stages is \d+ bytes as make deploy sends it, over the 51200 bytes/);
  });

  it('the bin: a bad list is exit 2 naming the stage and the rule, and nothing is written', () => {
    const dir = tempDir();
    const file = join(dir, 'answers.json');
    writeFileSync(file, JSON.stringify({ appName: 'orders', stages: [{ name: 'dev', approval: true }, { name: 'prod' }] }));
    const result = runCli(['--answers', file, '--skip-install', '--skip-git'], dir);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /stage "dev" is invalid: approval on the first stage/);
    assert.deepEqual(readdirSync(dir), ['answers.json']);
  });
});

describe('the stage count the validation computes is the rendered pipeline\'s', () => {
  it('an approved wave at the most targets the check allows renders at most CodePipeline\'s 50 actions', () => {
    const prod = (projectTemplate({ region: 'us-east-1', stages: [{ name: 'dev' }, { name: 'prod', approval: true, targets: WAVE_OF_17.slice(0, 16) }] })
      .Resources.AppPipeline.Properties as { Stages: { Name: string; Actions: unknown[] }[] }).Stages.find((stage) => stage.Name === 'Prod')!;
    assert.equal(prod.Actions.length, 49);
  });

  it('for lists with tests, approvals, waves, the gate on V1 and V2 or off, and the self-update', () => {
    const lists = [
      STAGES_EXAMPLE,
      [{ name: 'dev' }, { name: 'qa', tests: true, targets: [{ region: 'us-west-2' }, { region: 'eu-west-1' }] }, { name: 'prod', approval: true, tests: true }],
      [{ name: 'only' }],
    ];
    const settings = [
      { selfUpdate: false, approveBroadening: true, pipelineType: 'V2' }, { selfUpdate: true, approveBroadening: true, pipelineType: 'V1' },
      { selfUpdate: true, approveBroadening: false, pipelineType: 'V2' }, { selfUpdate: true, approveBroadening: true, pipelineType: 'V2' },
    ] as const;
    for (const stages of lists) {
      for (const setting of settings) {
        const rendered = (projectTemplate({ region: 'us-east-1', stages, ...setting }).Resources.AppPipeline.Properties as { Stages: unknown[] }).Stages.length;
        assert.equal(pipelineStageCount(stages, setting), rendered, `${JSON.stringify(stages)} ${JSON.stringify(setting)}`);
      }
    }
  });
});
