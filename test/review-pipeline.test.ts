// The review in pipeline.json: create -> review -> approval -> execute for a stage with an approval, the broadening
// gate for the others (and the self-update), the review role's reach; templates as data, plus review_changes.py on
// two generated pipeline.json files (what the self-update gate compares).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PartialAnswers } from '../lib/answers/settings.js';
import type { Json } from '../lib/cloudformation/cfn.js';
import { pythonEnv } from './support/chalice.js';
import { ACCOUNT, REGION, allows, roleStatements } from './support/iam-policy.js';
import { PACKAGE_ROOT, PARTLY_REVIEWED, PROD_ACCOUNT, newRepositoryFiles, tempDir, templateFor } from './support/tools.js';
import type { CfnTemplate } from './support/security-rules.js';

type Action = { Name: string; ActionTypeId: Record<string, string>; Configuration: Record<string, Json>; RunOrder: number; Namespace?: string; InputArtifacts?: { Name: string }[] };
type Stage = { Name: string; Actions: Action[]; BeforeEntry?: Json };

const stagesOf = (answers: PartialAnswers): Stage[] => templateFor({ appName: 'shop', ...answers }).Resources.AppPipeline.Properties!.Stages as unknown as Stage[];
const stage = (stages: Stage[], name: string) => {
  const found = stages.find((s) => s.Name === name);
  assert.ok(found, `no stage ${name} in ${stages.map((s) => s.Name).join(', ')}`);
  return found;
};
/** The review action's variables (EnvironmentVariables, an Fn::Sub of JSON or JSON). */
const reviewVariables = (action: Action) => {
  const value = action.Configuration.EnvironmentVariables as Json;
  const text = typeof value === 'string' ? value : String((value as Record<string, Json>)['Fn::Sub']);
  return Object.fromEntries((JSON.parse(text) as { name: string; value: string }[]).map(({ name, value: v }) => [name, v]));
};

describe('a stage with an approval: create, review, approve, execute that change set', () => {
  const prod = stage(stagesOf({}), 'Prod');

  it('runs the four actions in order in the Prod stage (no separate Approval stage before the change set exists)', () => {
    assert.deepEqual(prod.Actions.map((a) => [a.Name, a.RunOrder]), [['CreateProdChangeSet', 1], ['ReviewProdChanges', 2], ['ApproveRelease', 3], ['ExecuteProdChangeSet', 4]]);
    assert.equal(stagesOf({}).some((s) => s.Name === 'Approval'), false);
  });

  it('reviews the change set the stage created, and executes exactly that one', () => {
    const [create, review, , execute] = prod.Actions;
    assert.equal(create.Configuration.ActionMode, 'CHANGE_SET_REPLACE');
    assert.equal(execute.Configuration.ActionMode, 'CHANGE_SET_EXECUTE');
    assert.deepEqual(execute.Configuration.ChangeSetName, create.Configuration.ChangeSetName);
    assert.deepEqual(execute.Configuration.StackName, create.Configuration.StackName);
    assert.deepEqual(reviewVariables(review), { STACK_NAME: '${ApplicationName}ProdStack', CHANGE_SET_NAME: '${ApplicationName}ProdChangeSet' });
    assert.deepEqual(create.Configuration.ChangeSetName, { 'Fn::Sub': '${ApplicationName}ProdChangeSet' });
    assert.equal(review.Namespace, 'ReviewProd');
    assert.deepEqual(review.Configuration.ProjectName, { Ref: 'ChangeReviewBuild' });
  });

  it('the approval carries the summary and links the change set (variables of the review, V1 and V2 alike)', () => {
    for (const pipelineType of ['V1', 'V2']) {
      const approval = stage(stagesOf({ pipelineType }), 'Prod').Actions[2];
      assert.equal(approval.ActionTypeId.Provider, 'Manual');
      assert.match(String(approval.Configuration.CustomData), /^To prod: #\{ReviewProd\.SUMMARY\}\. Beta: #\{BetaStackOutputs\.EndpointURL\}\./);
      assert.equal(approval.Configuration.ExternalEntityLink, '#{ReviewProd.CHANGE_SET_URL}');
    }
  });

  it('a prod in another account is reviewed there: the review assumes its review role (target-account.json), nothing else', () => {
    const answers = { appName: 'shop', prodAccountId: PROD_ACCOUNT };
    const prod = stage(stagesOf(answers), 'Prod');
    assert.deepEqual(prod.Actions.map((a) => [a.Name, a.RunOrder]), [['CreateProdChangeSet', 1], ['ReviewProdChanges', 2], ['ApproveRelease', 3], ['ExecuteProdChangeSet', 4]]);
    assert.deepEqual(reviewVariables(prod.Actions[1]), {
      STACK_NAME: '${ApplicationName}ProdStack', CHANGE_SET_NAME: '${ApplicationName}ProdChangeSet',
      REVIEW_ROLE_ARN: 'arn:${AWS::Partition}:iam::${ProdAccountId}:role/${ApplicationName}ProdReviewRole',
    });
    // The role there reads the prod stack, and is assumable by the change review only (accounts.test.ts: the names).
    const target = JSON.parse(newRepositoryFiles(answers).get('target-account.json')!) as { Resources: Record<string, { Properties: Record<string, Json> }> };
    const policy = (target.Resources.ReviewRole.Properties.Policies as { PolicyDocument: { Statement: Record<string, Json>[] } }[])[0].PolicyDocument.Statement;
    assert.deepEqual(policy.map((s) => [s.Action, s.Resource]), [[
      ['cloudformation:GetTemplate', 'cloudformation:DescribeStacks', 'cloudformation:DescribeChangeSet'],
      [{ 'Fn::Sub': 'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${ApplicationName}ProdStack/*' }],
    ]]);
  });
});

describe('the broadening gate (approveBroadening, default true)', () => {
  it('V2: a review stage, then an approval stage entered only when the review says IAM widens; Beta itself unchanged', () => {
    const stages = stagesOf({});
    const names = stages.map((s) => s.Name);
    assert.deepEqual(names.slice(names.indexOf('Build')), ['Build', 'ReviewBeta', 'ApproveBetaBroadening', 'Beta', 'IntegrationTests', 'Prod']);
    const review = stage(stages, 'ReviewBeta').Actions[0];
    assert.deepEqual(reviewVariables(review), { STACK_NAME: '${ApplicationName}BetaStack', TEMPLATE: 'transformed-beta.yaml' });
    assert.deepEqual(review.InputArtifacts, [{ Name: 'SourceRepo' }, { Name: 'CompiledCFNTemplate' }]);
    const gate = stage(stages, 'ApproveBetaBroadening');
    assert.deepEqual(gate.BeforeEntry, {
      Conditions: [{
        Result: 'SKIP',
        Rules: [{ Name: 'IamWidens', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' }, Configuration: { Variable: '#{ReviewBeta.IAM_WIDENS}', Operator: 'EQ', Value: 'true' } }],
      }],
    });
    assert.equal(gate.Actions[0].Configuration.CustomData, 'beta: #{ReviewBeta.SUMMARY}');
    assert.deepEqual(stage(stages, 'Beta').Actions.map((a) => [a.Name, a.RunOrder]), [['CreateBetaChangeSet', 1], ['ExecuteBetaChangeSet', 2]]);
  });

  it('a prod without an approval gets the gate too; V1 (no stage conditions): the review alone, failing the release when IAM widens', () => {
    const v2 = stagesOf({ manualApproval: false }).map((s) => s.Name);
    assert.deepEqual(v2.slice(v2.indexOf('IntegrationTests')), ['IntegrationTests', 'ReviewProd', 'ApproveProdBroadening', 'Prod']);
    const v1 = stagesOf({ manualApproval: false, pipelineType: 'V1' });
    assert.deepEqual(v1.map((s) => s.Name).filter((name) => name.includes('Review') || name.includes('Approve')), ['ReviewBeta', 'ReviewProd']);
    assert.equal(reviewVariables(stage(v1, 'ReviewBeta').Actions[0]).FAIL_ON_WIDENING, 'true');
  });

  it('approveBroadening false and no approval: no review at all (no stage, no build, no role, no buildspec)', () => {
    const answers = { appName: 'shop', approveBroadening: false, manualApproval: false };
    const template = templateFor(answers);
    assert.deepEqual((template.Resources.AppPipeline.Properties!.Stages as unknown as Stage[]).map((s) => s.Name), ['Source', 'Build', 'Beta', 'IntegrationTests', 'Prod']);
    assert.equal(template.Resources.ChangeReviewBuild ?? template.Resources.ChangeReviewRole, undefined);
    const files = newRepositoryFiles(answers);
    assert.equal(files.has('buildspec-review.yml'), false);
    assert.equal(files.has('scripts/review_changes.py'), true, 'the script stays usable on its own');
  });

  it('with approvalEmail every approval, the release\'s and the gate\'s, notifies the approval topic; without it none does', () => {
    const approvals = (answers: PartialAnswers) => stagesOf(answers).flatMap((s) => s.Actions).filter((a) => a.ActionTypeId.Provider === 'Manual');
    const notified = approvals({ approvalEmail: 'ops@example.com', selfUpdate: true });
    assert.deepEqual(notified.map((a) => a.Name), ['ApproveBroadening', 'ApproveBroadening', 'ApproveRelease']);
    for (const approval of notified) assert.deepEqual(approval.Configuration.NotificationArn, { Ref: 'ApprovalTopic' });
    for (const approval of approvals({ selfUpdate: true })) assert.equal(approval.Configuration.NotificationArn, undefined);
  });

  it('V1 with the self-update: the pipeline\'s review fails the release when IAM widens, as the stages\' do', () => {
    assert.equal(reviewVariables(stage(stagesOf({ selfUpdate: true, pipelineType: 'V1' }), 'ReviewPipeline').Actions[0]).FAIL_ON_WIDENING, 'true');
    assert.equal(reviewVariables(stage(stagesOf({ selfUpdate: true }), 'ReviewPipeline').Actions[0]).FAIL_ON_WIDENING, undefined);
  });

  it('the self-update: the pushed pipeline.json is reviewed against the pipeline stack before UpdatePipeline applies it', () => {
    const stages = stagesOf({ selfUpdate: true });
    assert.deepEqual(stages.map((s) => s.Name).slice(0, 5), ['Source', 'ReviewPipeline', 'ApprovePipelineBroadening', 'UpdatePipeline', 'Build']);
    const review = stage(stages, 'ReviewPipeline').Actions[0];
    assert.deepEqual(reviewVariables(review), { STACK_NAME: '${AWS::StackName}', TEMPLATE: 'SourceRepo::pipeline.json' });
    assert.deepEqual(review.InputArtifacts, [{ Name: 'SourceRepo' }]);
  });
});

describe('the review role reads the reviewed stacks and nothing else', () => {
  it('GetTemplate, DescribeStacks, DescribeChangeSet on the reviewed stacks; its log stream; the artifacts read-only', () => {
    const template = templateFor({ appName: 'shop', selfUpdate: true });
    const role = template.Resources.ChangeReviewRole.Properties! as { Policies: { PolicyDocument: { Statement: Record<string, Json>[] } }[]; AssumeRolePolicyDocument: Json };
    const statements = role.Policies[0].PolicyDocument.Statement.map((statement) => ('Fn::If' in statement ? (statement['Fn::If'] as Json[])[1] : statement) as Record<string, Json>);
    assert.deepEqual(statements.map((s) => [s.Sid, s.Action]), [
      ['WriteLogs', ['logs:CreateLogStream', 'logs:PutLogEvents']],
      ['ReadArtifacts', ['s3:GetObject', 's3:GetObjectVersion']],
      ['ReadReviewedStacks', ['cloudformation:GetTemplate', 'cloudformation:DescribeStacks', 'cloudformation:DescribeChangeSet']],
      ['UseArtifactKey', ['kms:Decrypt', 'kms:DescribeKey']],
    ]);
    assert.deepEqual(statements[2].Resource, [
      { 'Fn::Sub': 'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${ApplicationName}BetaStack/*' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${ApplicationName}ProdStack/*' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*' },
    ]);
    // A prod in another account is read through the review role there: its stack is not in this list.
    const remote = templateFor({ appName: 'shop', prodAccountId: PROD_ACCOUNT }).Resources.ChangeReviewRole.Properties! as typeof role;
    assert.doesNotMatch(JSON.stringify(remote.Policies[0].PolicyDocument.Statement[2]), /ProdStack/);
    assert.match(JSON.stringify(remote.Policies[0].PolicyDocument.Statement[3]), /ProdReviewRole/);
  });

  it('every stage in other accounts and no self-update: no statement reads a stack of this account', () => {
    const role = templateFor({ appName: 'shop', betaAccountId: PROD_ACCOUNT.replace('2', '4'), prodAccountId: PROD_ACCOUNT }).Resources.ChangeReviewRole.Properties as { Policies: { PolicyDocument: { Statement: { Sid: string }[] } }[] };
    assert.deepEqual(role.Policies[0].PolicyDocument.Statement.map((s) => s.Sid), ['WriteLogs', 'ReadArtifacts', 'AssumeTargetReviewRoles', 'UseArtifactKey']);
  });

  it('without a reviewed stage in another account the role keeps its generated name (nothing trusts it by name)', () => {
    assert.equal((templateFor({ appName: 'shop' }).Resources.ChangeReviewRole.Properties as Record<string, Json>).RoleName, undefined);
    // staging (here) is approved, so reviewed; prod (another account) has no approval and no gate.
    const unreviewed = templateFor({ appName: 'shop', approveBroadening: false, stages: [{ name: 'beta' }, { name: 'staging', approval: true }, { name: 'prod', account: PROD_ACCOUNT }] });
    assert.equal((unreviewed.Resources.ChangeReviewRole.Properties as Record<string, Json>).RoleName, undefined);
    assert.doesNotMatch(JSON.stringify((unreviewed.Resources.ChangeReviewRole.Properties as Record<string, Json>).Policies), /sts:AssumeRole|ReviewRole/);
  });
});

describe('a stage in another account: what the review may do there, evaluated call by call', () => {
  const answers = { appName: 'shop', prodAccountId: PROD_ACCOUNT };
  const target = JSON.parse(newRepositoryFiles(answers).get('target-account.json')!) as CfnTemplate;
  // target-account.json resolved in the prod account (the evaluator's account stands for it), Stage=Prod.
  const there = roleStatements(target, 'ReviewRole');
  const stack = (name: string) => `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/0a1b2c3d`;

  it('reads the prod stack (status, deployed and change-set template, change set): each call the review build makes', () => {
    for (const action of ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate', 'cloudformation:DescribeChangeSet']) {
      assert.ok(allows(there, { action, resource: stack('shopProdStack') }), action);
    }
  });

  it('changes nothing and reads no other stack', () => {
    for (const action of ['cloudformation:ExecuteChangeSet', 'cloudformation:CreateChangeSet', 'cloudformation:DeleteChangeSet', 'cloudformation:DeleteStack', 'cloudformation:UpdateStack', 'iam:PassRole', 'sts:AssumeRole']) {
      assert.equal(allows(there, { action, resource: stack('shopProdStack') }), false, action);
    }
    assert.equal(allows(there, { action: 'cloudformation:GetTemplate', resource: stack('shopBetaStack') }), false);
    assert.equal(allows(there, { action: 'cloudformation:GetTemplate', resource: stack('otherProdStack') }), false);
  });

  it('the change review may assume exactly that role, not the action or deploy role of that account', () => {
    const review = roleStatements(templateFor(answers), 'ChangeReviewRole');
    const role = (name: string) => `arn:aws:iam::${PROD_ACCOUNT}:role/${name}`;
    assert.ok(allows(review, { action: 'sts:AssumeRole', resource: role('shopProdReviewRole') }));
    for (const name of ['shopProdActionRole', 'shopProdDeployRole', 'shopBetaReviewRole']) assert.equal(allows(review, { action: 'sts:AssumeRole', resource: role(name) }), false, name);
    assert.equal(allows(review, { action: 'cloudformation:GetTemplate', resource: `arn:aws:cloudformation:${REGION}:${PROD_ACCOUNT}:stack/shopProdStack/0a1b` }), false, 'not as itself');
  });
});

describe('several stages in other accounts, only some reviewed: the review role exists only where a stage is reviewed', () => {
  // cfn-lint and the security rules check these templates with the matrix (pipeline-template.test.ts).
  const target = JSON.parse(newRepositoryFiles(PARTLY_REVIEWED).get('target-account.json')!) as CfnTemplate;

  it('one role, made with Stage=staging or prod (ReviewsHere), each reading only its own stage\'s stack', () => {
    assert.equal(target.Resources.ReviewRole.Condition, 'ReviewsHere');
    assert.deepEqual(target.Conditions!.ReviewsHere, { 'Fn::Or': [{ Condition: 'DeploysStaging' }, { Condition: 'DeploysProd' }] });
    assert.equal(target.Outputs!.ReviewRoleArn.Condition, 'ReviewsHere');
    const statements = ((target.Resources.ReviewRole.Properties as { Policies: { PolicyDocument: { Statement: Json[] } }[] }).Policies[0].PolicyDocument.Statement);
    assert.deepEqual(statements.map((statement) => {
      const [condition, chosen] = (statement as { 'Fn::If': [string, { Sid: string }] })['Fn::If'];
      return [condition, chosen.Sid];
    }), [['DeploysStaging', 'ReadStagingAppStack'], ['DeploysProd', 'ReadProdAppStack']]);
    const review = (templateFor(PARTLY_REVIEWED).Resources.AppPipeline.Properties as { Stages: Stage[] }).Stages;
    assert.equal(review.some((s) => s.Name === 'ReviewQa'), false);
  });
});

describe("review_changes.py on generated pipeline.json files (the self-update gate's comparison)", () => {
  const review = (before: unknown, after: unknown) => {
    const folder = tempDir('cp-review-pipeline-');
    writeFileSync(join(folder, 'before.json'), JSON.stringify(before));
    writeFileSync(join(folder, 'after.json'), JSON.stringify(after));
    const run = spawnSync('python3', [join(PACKAGE_ROOT, 'templates', 'pipeline', 'scripts', 'review_changes.py'), join(folder, 'before.json'), join(folder, 'after.json')], { encoding: 'utf8', env: pythonEnv() });
    rmSync(folder, { recursive: true, force: true });
    return run;
  };

  it('the same answers again: nothing widens; a pushed statement for the build role: exit 3 naming it', () => {
    const deployed = templateFor({ appName: 'shop', selfUpdate: true });
    assert.equal(review(deployed, templateFor({ appName: 'shop', selfUpdate: true })).status, 0);
    const pushed = structuredClone(deployed) as unknown as { Resources: { CodeBuildPolicy: { Properties: { PolicyDocument: { Statement: Json[] } } } } };
    pushed.Resources.CodeBuildPolicy.Properties.PolicyDocument.Statement.push({ Sid: 'Sneaky', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: ['*'] });
    const run = review(deployed, pushed);
    assert.equal(run.status, 3, run.stdout + run.stderr);
    assert.match(run.stdout, /^Summary: 1 modified, replacement unknown \(no change set\); IAM widens: CodeBuildRole may secretsmanager:GetSecretValue on \*$/m);
  });
});

describe('the stage list: every stage with an approval, every stage without (waves included)', () => {
  // qa: a wave of two regions in this account, gated; prod: a wave of this account and another, approved.
  const stages = stagesOf({
    region: 'us-east-1',
    stages: [
      { name: 'qa', targets: [{ region: 'us-east-1' }, { region: 'eu-west-1' }] },
      { name: 'prod', approval: true, targets: [{ region: 'us-east-1' }, { account: PROD_ACCOUNT, region: 'us-east-1' }] },
    ],
  });

  it('a gated wave: one review stage with each target\'s review, then each target\'s approval entered only when its IAM widens', () => {
    assert.deepEqual(stages.map((s) => s.Name).slice(2, 6), ['ReviewQa', 'ApproveQaUsEast1Broadening', 'ApproveQaEuWest1Broadening', 'Qa']);
    assert.deepEqual(stage(stages, 'ReviewQa').Actions.map((a) => [a.Name, a.Namespace, a.RunOrder]), [['ReviewQaUsEast1Changes', 'ReviewQaUsEast1', 1], ['ReviewQaEuWest1Changes', 'ReviewQaEuWest1', 1]]);
    assert.match(JSON.stringify(stage(stages, 'ApproveQaEuWest1Broadening').BeforeEntry), /#\{ReviewQaEuWest1\.IAM_WIDENS\}/);
    // Each target's approval names its target (a wave): the stage, the target, its review's summary.
    assert.equal(stage(stages, 'ApproveQaEuWest1Broadening').Actions[0].Configuration.CustomData, 'qa QaEuWest1: #{ReviewQaEuWest1.SUMMARY}');
    assert.equal(reviewVariables(stage(stages, 'ReviewQa').Actions[1]).STACK_REGION, '${QaEuWest1Region}');
  });

  it('an approved wave: both change sets, both reviewed (the other account through its review role), one approval, both executes after it', () => {
    const prod = stage(stages, 'Prod');
    assert.deepEqual(prod.Actions.map((a) => [a.Name, a.RunOrder]), [
      ['CreateProdPipelineChangeSet', 1], [`CreateProd${PROD_ACCOUNT}ChangeSet`, 1], ['ReviewProdPipelineChanges', 2], [`ReviewProd${PROD_ACCOUNT}Changes`, 2], ['ApproveRelease', 3],
      ['ExecuteProdPipelineChangeSet', 4], [`ExecuteProd${PROD_ACCOUNT}ChangeSet`, 4],
    ]);
    assert.equal(reviewVariables(prod.Actions[2]).REVIEW_ROLE_ARN, undefined);
    assert.equal(reviewVariables(prod.Actions[3]).REVIEW_ROLE_ARN, `arn:\${AWS::Partition}:iam::\${Prod${PROD_ACCOUNT}AccountId}:role/\${ApplicationName}Prod${PROD_ACCOUNT}ReviewRole`);
    const approval = prod.Actions.find((a) => a.Name === 'ApproveRelease')!;
    const text = String(approval.Configuration.CustomData);
    assert.match(text, /^To prod: ProdPipeline #\{ReviewProdPipeline\.SUMMARY\}; Prod\d{12} #\{ReviewProd\d{12}\.SUMMARY\}\. Qa.*: #\{QaUsEast1StackOutputs\.EndpointURL\}\. Approving executes every target's change set\.$/);
    assert.equal(approval.Configuration.ExternalEntityLink, '#{ReviewProdPipeline.CHANGE_SET_URL}');
    assert.equal(stages.some((s) => /^ReviewProd|Broadening$/.test(s.Name) && s.Name.includes('Prod')), false);
    // The wave's summaries share the 1,000 characters of the message: its text, an endpoint URL of 100, each summary.
    const limits = prod.Actions.filter((a) => a.Name.startsWith('Review')).map((a) => Number(reviewVariables(a).SUMMARY_LIMIT));
    assert.equal(new Set(limits).size, 1);
    assert.ok(text.replace(/#\{[^}]+\}/g, '').length + 100 + limits[0] * limits.length <= 1000, `${limits[0]}`);
    assert.ok(limits[0] >= 300, `${limits[0]}: each summary keeps room for its widenings`);
    assert.equal(reviewVariables(stage(stagesOf({}), 'Prod').Actions[1]).SUMMARY_LIMIT, undefined, 'one target: the script\'s own limit');
  });

  it('a stage in another account without an approval gets the broadening gate too, its review through the role there', () => {
    const gated = stagesOf({ prodAccountId: PROD_ACCOUNT, manualApproval: false });
    const names = gated.map((s) => s.Name);
    assert.deepEqual(names.slice(names.indexOf('IntegrationTests')), ['IntegrationTests', 'ReviewProd', 'ApproveProdBroadening', 'Prod']);
    assert.match(reviewVariables(stage(gated, 'ReviewProd').Actions[0]).REVIEW_ROLE_ARN, /\$\{ProdAccountId\}:role\/\$\{ApplicationName\}ProdReviewRole$/);
  });
});
