// The three-stage example end to end: dev; staging in another account with integration tests; prod behind an
// approval, canary, as a wave of two targets (eu-west-1 and us-east-1 of one account). cfn-lint and every security
// rule, the real Chalice packaging all three stages as CodeBuild runs the Build stage, and the deploy role of every
// target allowing each call the resource handlers make for its packaged stack.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PartialAnswers } from '../lib/answers/settings.js';
import { requireChalice, pythonEnv } from './support/chalice.js';
import { runPackageBuild, type PackageBuild } from './support/codebuild.js';
import { DeployedStack } from './support/handler-requests.js';
import { ACCOUNT, APP_BUCKET, allows, roleStatements } from './support/iam-policy.js';
import { startS3Server, type S3Server } from './support/moto-s3.js';
import { runCommand } from './support/processes.js';
import { REFERENCE_CHECKS } from './support/references.js';
import { SECURITY_RULES, isObject, type CfnTemplate } from './support/security-rules.js';
import { BETA_ACCOUNT, PACKAGE_ROOT, PROD_ACCOUNT, STAGES_EXAMPLE, cfnLint, newRepositoryFiles, tempDir } from './support/tools.js';

const EXAMPLE: PartialAnswers = { region: 'us-east-1', approvalEmail: 'team@example.com', stages: STAGES_EXAMPLE };
const FILES = newRepositoryFiles(EXAMPLE);
const json = (path: string) => JSON.parse(FILES.get(path)!) as CfnTemplate;
const PIPELINE = json('pipeline.json');
const TEMPLATES: Record<string, CfnTemplate> = { 'pipeline.json': PIPELINE, 'target-account.json': json('target-account.json'), 'pipeline-region.json': json('pipeline-region.json') };

type Action = { Name: string; RunOrder: number; Region?: unknown; Configuration: Record<string, unknown>; ActionTypeId: { Category: string } };
const STAGES = (PIPELINE.Resources.AppPipeline.Properties as { Stages: { Name: string; Actions: Action[]; OnFailure?: unknown }[] }).Stages;
const stage = (name: string) => STAGES.find((entry) => entry.Name === name)!;

/** target-account.json as CloudFormation sees it with Stage=<target>: the policies of the other stages dropped. */
function targetAccountFor(target: string): CfnTemplate {
  const template = structuredClone(TEMPLATES['target-account.json']);
  template.Parameters!.PipelineAccountId.Default = '111111111111';
  template.Parameters!.Stage.Default = target;
  const role = template.Resources.DeployRole.Properties as { Policies: unknown[] };
  role.Policies = role.Policies.flatMap((policy) => {
    if (!isObject(policy) || !('Fn::If' in policy)) return [policy];
    const [condition, chosen] = policy['Fn::If'] as [string, unknown];
    return condition === `Deploys${target}` ? [chosen] : [];
  });
  return template;
}

describe("the issue's example: dev, staging (its account, tested), prod (approval, canary, a wave of two regions)", () => {
  it('the pipeline: Source, Build, the gate before Dev, Dev, Staging, its tests, then the prod wave with its approval', () => {
    // Dev and Staging (no approval) get the broadening gate; Staging's review reads its stack through the role there.
    assert.deepEqual(STAGES.map((entry) => entry.Name), ['Source', 'Build', 'ReviewDev', 'ApproveDevBroadening', 'Dev', 'ReviewStaging', 'ApproveStagingBroadening', 'Staging', 'IntegrationTests', 'Prod']);
    const [review] = stage('ReviewStaging').Actions;
    assert.match(JSON.stringify(review.Configuration.EnvironmentVariables), /REVIEW_ROLE_ARN.*iam::\$\{StagingAccountId\}:role\/\$\{ApplicationName\}StagingReviewRole/);
  });

  it('the two prod deploys share their run orders in one stage (a wave), one approval between the change sets and their execution', () => {
    const prod = stage('Prod').Actions.map((action) => [action.Name, action.RunOrder, action.Region ?? null]);
    assert.deepEqual(prod, [
      ['CreateProdEuWest1ChangeSet', 1, { Ref: 'ProdEuWest1Region' }], ['CreateProdUsEast1ChangeSet', 1, null],
      ['ReviewProdEuWest1Changes', 2, null], ['ReviewProdUsEast1Changes', 2, null],
      ['ApproveRelease', 3, null],
      ['ExecuteProdEuWest1ChangeSet', 4, { Ref: 'ProdEuWest1Region' }], ['ExecuteProdUsEast1ChangeSet', 4, null],
    ]);
    // Each target runs as its own action role in 222222222222, deploying the same stack name in its region.
    for (const action of stage('Prod').Actions.filter((entry) => entry.ActionTypeId.Category === 'Deploy')) assert.deepEqual(action.Configuration.StackName, { 'Fn::Sub': '${ApplicationName}ProdStack' });
    assert.deepEqual(PIPELINE.Parameters!.ProdEuWest1AccountId.Default, PROD_ACCOUNT);
    assert.deepEqual(PIPELINE.Parameters!.ProdUsEast1AccountId.Default, PROD_ACCOUNT);
    assert.deepEqual(PIPELINE.Parameters!.StagingAccountId.Default, BETA_ACCOUNT);
    assert.deepEqual(stage('Prod').OnFailure, { Result: 'ROLLBACK' });
  });

  it('the integration tests run after staging, against its endpoint; the approval names staging\'s endpoint and both prod reviews', () => {
    const [tests] = stage('IntegrationTests').Actions;
    assert.equal(tests.ActionTypeId.Category, 'Test');
    assert.deepEqual(JSON.parse(tests.Configuration.EnvironmentVariables as string), [
      { name: 'ENDPOINT_URL', value: '#{StagingStackOutputs.EndpointURL}', type: 'PLAINTEXT' },
      { name: 'EXPECTED_STAGE', value: 'staging', type: 'PLAINTEXT' },
    ]);
    // Prod is in another account: each target is reviewed there (its region, its review role); one approval shows both.
    const approval = stage('Prod').Actions.find((action) => action.Name === 'ApproveRelease')!;
    assert.equal(approval.Configuration.ExternalEntityLink, '#{ReviewProdEuWest1.CHANGE_SET_URL}');
    assert.deepEqual(approval.Configuration.NotificationArn, { Ref: 'ApprovalTopic' });
    assert.equal(approval.Configuration.CustomData, "To prod: ProdEuWest1 #{ReviewProdEuWest1.SUMMARY}; ProdUsEast1 #{ReviewProdUsEast1.SUMMARY}. Staging: #{StagingStackOutputs.EndpointURL}. Approving executes every target's change set.");
    const variables = (name: string) => Object.fromEntries((JSON.parse((stage('Prod').Actions.find((action) => action.Name === name)!.Configuration.EnvironmentVariables as { 'Fn::Sub': string })['Fn::Sub']) as { name: string; value: string }[]).map((v) => [v.name, v.value]));
    assert.deepEqual(variables('ReviewProdEuWest1Changes'), {
      STACK_NAME: '${ApplicationName}ProdStack', CHANGE_SET_NAME: '${ApplicationName}ProdEuWest1ChangeSet', STACK_REGION: '${ProdEuWest1Region}',
      REVIEW_ROLE_ARN: 'arn:${AWS::Partition}:iam::${ProdEuWest1AccountId}:role/${ApplicationName}ProdEuWest1ReviewRole',
      // The two summaries share the approval message's 1,000 characters.
      SUMMARY_LIMIT: '403',
    });
    assert.equal(variables('ReviewProdUsEast1Changes').REVIEW_ROLE_ARN, 'arn:${AWS::Partition}:iam::${ProdUsEast1AccountId}:role/${ApplicationName}ProdUsEast1ReviewRole');
  });

  it('.chalice/config.json has the three stages; the Makefile deploys each target account per stage', () => {
    assert.deepEqual(Object.keys((JSON.parse(FILES.get('.chalice/config.json')!) as { stages: object }).stages), ['dev', 'staging', 'prod']);
    const makefile = FILES.get('Makefile')!;
    assert.match(makefile, /^STAGE_TARGETS_staging = Staging:\$\(STAGING_ACCOUNT_ID\):\$\(STAGING_REGION\)$/m);
    assert.match(makefile, /^STAGE_TARGETS_prod = ProdEuWest1:\$\(PRODEUWEST1_ACCOUNT_ID\):\$\(PRODEUWEST1_REGION\) ProdUsEast1:\$\(PRODUSEAST1_ACCOUNT_ID\):\$\(PRODUSEAST1_REGION\)$/m);
    // make destroy asks first, naming every stage's app stack once (a wave's stack too).
    assert.match(makefile, /Delete the app stacks \(\$\(APP_NAME\)DevStack, \$\(APP_NAME\)StagingStack, \$\(APP_NAME\)ProdStack: their APIs and functions\)/);
  });

  it('every security rule holds for pipeline.json, target-account.json and pipeline-region.json', () => {
    const STACK_CHECKS = ['REFERENCES_RESOLVE', 'GETATT_ATTRIBUTES_EXIST', 'NO_UNUSED_PARAMETERS', 'OUTPUTS_REFER_TO_THE_STACK'];
    const findings = Object.entries(TEMPLATES).flatMap(([path, template]) => [
      ...SECURITY_RULES, ...REFERENCE_CHECKS.filter((check) => path === 'pipeline.json' || STACK_CHECKS.includes(check.id)),
    ].flatMap((rule) => rule.check(template).map((problem) => `${path} ${rule.id}: ${problem}`)));
    assert.deepEqual(findings, []);
  });

  it('cfn-lint finds nothing in the three templates', async () => {
    const dir = tempDir('cp-stages-');
    const paths = Object.keys(TEMPLATES).map((path) => join(dir, path));
    for (const path of Object.keys(TEMPLATES)) writeFileSync(join(dir, path), FILES.get(path)!);
    const findings = await cfnLint(paths);
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual([...findings.values()].filter((text) => text !== ''), []);
  });
});

describe("the example's Build stage under the real Chalice, and each target's deploy role handler by handler", () => {
  let s3: S3Server;
  let build: PackageBuild;
  const expanded = new Map<string, CfnTemplate>();
  const dir = tempDir('cp-stages-build-');
  const PACKAGED = ['transformed-dev.yaml', 'transformed-staging.yaml', 'transformed-prod-eu-west-1.yaml', 'transformed-prod-us-east-1.yaml'];

  before(async () => {
    requireChalice();
    s3 = await startS3Server();
    build = await runPackageBuild(s3, EXAMPLE, FILES);
    assert.equal(build.run.status, 0, build.run.output);
    const pairs = PACKAGED.map((file) => [join(build.source, file), join(dir, `${file}.json`)]);
    const run = await runCommand('python3', [join(PACKAGE_ROOT, 'test', 'support', 'sam_expand.py'), ...pairs.flat()], {
      cwd: PACKAGE_ROOT, env: pythonEnv({ AWS_DEFAULT_REGION: 'us-east-1' }), timeoutMs: 120_000,
    });
    assert.equal(run.status, 0, run.output);
    for (const file of PACKAGED) {
      expanded.set(file, JSON.parse(readFileSync(join(dir, `${file}.json`), 'utf8').replaceAll(build.bucket, APP_BUCKET)) as CfnTemplate);
    }
  });
  after(async () => {
    build?.cleanup();
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('packages every stage once (the deploy-role check on each), and one template per prod region', () => {
    assert.deepEqual([...build.templates.keys()], PACKAGED);
    for (const stageName of ['dev', 'staging', 'prod']) {
      assert.equal((build.run.output.match(new RegExp(`chalice package --stage ${stageName} `, 'g')) ?? []).length, 1, stageName);
      assert.match(build.run.output, new RegExp(`python scripts/check_deploy_role.py build/${stageName}/sam.json`));
    }
    assert.match(build.run.output, /aws cloudformation package --template-file build\/prod\/sam\.json --region eu-west-1 /);
    // Only prod shifts traffic: its templates have the deployment group, dev's and staging's do not.
    const groups = (file: string) => Object.values(expanded.get(file)!.Resources).filter((r) => r.Type === 'AWS::CodeDeploy::DeploymentGroup').length;
    assert.deepEqual(PACKAGED.map(groups), [0, 0, 1, 1]);
  });

  const requestsOf = (file: string, stack: string, parameters: Record<string, string> = {}, packageAccount?: string) =>
    new DeployedStack(expanded.get(file)!, stack, true, parameters).requests()
      // The packaged code stays in the pipeline account's bucket: S3 gives the request that account.
      .map((request) => (packageAccount && request.action.startsWith('s3:GetObject') ? { ...request, context: { ...request.context, 's3:ResourceAccount': packageAccount } } : request));
  const denied = (statements: ReturnType<typeof roleStatements>, requests: ReturnType<typeof requestsOf>) =>
    requests.filter((request) => !allows(statements, request)).map((r) => `${r.resourceId}: ${r.action} on ${r.resource}`);

  it("dev (the pipeline's account): CFNDeployRole allows every call for ordersDevStack", () => {
    const requests = requestsOf('transformed-dev.yaml', 'ordersDevStack');
    assert.ok(requests.length > 0);
    assert.deepEqual(denied(roleStatements(PIPELINE, 'CFNDeployRole'), requests), []);
  });

  it('staging (333333333333): its DeployRole (Stage=Staging) allows every call for ordersStagingStack', () => {
    const statements = roleStatements(targetAccountFor('Staging'), 'DeployRole');
    assert.deepEqual(denied(statements, requestsOf('transformed-staging.yaml', 'ordersStagingStack', {}, '111111111111')), []);
    // The check can fail: prod's role does not deploy the staging stack.
    assert.notDeepEqual(denied(roleStatements(targetAccountFor('ProdUsEast1'), 'DeployRole'), requestsOf('transformed-staging.yaml', 'ordersStagingStack', {}, '111111111111')), []);
  });

  for (const [target, file] of [['ProdEuWest1', 'transformed-prod-eu-west-1.yaml'], ['ProdUsEast1', 'transformed-prod-us-east-1.yaml']] as const) {
    it(`prod target ${target} (222222222222): its DeployRole allows every call of ordersProdStack, passing its CodeDeploy role`, () => {
      const passed = `arn:aws:iam::${ACCOUNT}:role/orders${target}CodeDeployRole`;
      const requests = requestsOf(file, 'ordersProdStack', { CodeDeployRoleArn: passed }, '111111111111');
      assert.ok(requests.some((request) => request.action === 'iam:PassRole' && request.resource === passed));
      assert.deepEqual(denied(roleStatements(targetAccountFor(target), 'DeployRole'), requests), []);
    });
  }

  it("the CodeDeploy role of each prod target is named by its Stage and passed by that target's change set", () => {
    const role = TEMPLATES['target-account.json'].Resources.CodeDeployRole as unknown as { Properties: { RoleName: unknown }; Condition?: string };
    assert.deepEqual(role.Properties.RoleName, { 'Fn::Sub': '${ApplicationName}${Stage}CodeDeployRole' });
    assert.equal(role.Condition, 'ShiftsTrafficHere');
    const overrides = stage('Prod').Actions.filter((action) => action.Name.startsWith('Create')).map((action) => JSON.stringify(action.Configuration.ParameterOverrides));
    assert.match(overrides[0], /role\/\$\{ApplicationName\}ProdEuWest1CodeDeployRole/);
    assert.match(overrides[1], /role\/\$\{ApplicationName\}ProdUsEast1CodeDeployRole/);
  });
});
