// Safe releases (issue 14): canary/linear production through CodeDeploy, proven by running the Build stage with the
// real Chalice and expanding its prod template with the SAM translator as CloudFormation would; the deploy role
// against the registry handlers of the resource types this adds; failure notifications; and that with the
// features off the pipeline template is exactly what it was without them.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALIAS, ALIAS_SCRIPT_PATH, SHIFTED_FUNCTIONS } from '../lib/cloudformation/pipeline/traffic-shifting.js';
import { FAILED_EXECUTION_EVENT } from '../lib/cloudformation/pipeline/notifications.js';
import type { PartialAnswers } from '../lib/answers/settings.js';
import { pythonEnv, requireChalice } from './support/chalice.js';
import { runPackageBuild, type PackageBuild } from './support/codebuild.js';
import { startS3Server, type S3Server } from './support/moto-s3.js';
import { runCommand } from './support/processes.js';
import { asList, objectAt, pipelineActions, policyStatements, type CfnTemplate } from './support/security-rules.js';
import { DeployedStack } from './support/handler-requests.js';
import { ACCOUNT, APP_BUCKET, allows, pipelineRoleArn, roleStatements } from './support/iam-policy.js';
import { PACKAGE_ROOT, answersMatrix, cfnLint, newRepositoryFiles, projectFor, repositoryWithFakeAws, tempDir, templateFor } from './support/tools.js';

type Template = Record<string, any>;

const CANARY: PartialAnswers = { prodDeployment: 'Canary10Percent10Minutes' };

/** The generated app plus what makes re-pointing non-trivial: several methods per path, a path parameter, a
 * Lambda authorizer (its URI must stay on its own function), a schedule and a plain function. */
function richApp(files: Map<string, string>): Map<string, string> {
  const app = `${files.get('app.py')!}

from chalice import AuthResponse, Rate


@app.authorizer()
def token(auth_request):
    return AuthResponse(routes=['*'], principal_id='user')


@app.route('/orders/{order_id}', methods=['GET', 'PUT', 'DELETE'])
def order(order_id):
    return {'id': order_id}


@app.route('/private', authorizer=token)
def private():
    return {}


@app.schedule(Rate(1, unit=Rate.HOURS))
def hourly(event):
    return None


@app.lambda_function()
def worker(event, context):
    return {}
`;
  return new Map(files).set('app.py', app);
}
const ROUTES = ['GET /', 'GET /health', 'GET /orders/{order_id}', 'PUT /orders/{order_id}', 'DELETE /orders/{order_id}', 'GET /private'];

/** path + method -> integration URI text (Fn::Sub) of a RestApi body or a SAM DefinitionBody. */
function integrationUris(body: Template): Map<string, string> {
  const uris = new Map<string, string>();
  for (const [path, operations] of Object.entries(body.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations as Template)) {
      const uri = operation?.['x-amazon-apigateway-integration']?.uri;
      if (uri) uris.set(`${method.toUpperCase()} ${path}`, typeof uri === 'string' ? uri : uri['Fn::Sub']);
    }
  }
  return uris;
}

const ofType = (template: Template, type: string) => Object.entries(template.Resources as Template).filter(([, r]) => r.Type === type);

async function expand(pairs: [string, string][]): Promise<void> {
  const run = await runCommand('python3', [join(PACKAGE_ROOT, 'test', 'support', 'sam_expand.py'), ...pairs.flat()], {
    cwd: PACKAGE_ROOT, env: pythonEnv({ AWS_DEFAULT_REGION: 'us-east-1' }), timeoutMs: 60_000,
  });
  assert.equal(run.status, 0, run.output);
}

describe('canary production: the Build stage under the real Chalice, expanded as CloudFormation does', () => {
  let s3: S3Server;
  let build: PackageBuild;
  const expanded: Record<'beta' | 'prod', Template> = { beta: {}, prod: {} };
  let lint: Map<string, string>;
  const dir = tempDir('cp-canary-');

  before(async () => {
    requireChalice();
    s3 = await startS3Server();
    build = await runPackageBuild(s3, CANARY, richApp(newRepositoryFiles(CANARY)));
    assert.equal(build.run.status, 0, build.run.output);
    const paths = { beta: join(build.source, 'transformed-beta.yaml'), prod: join(build.source, 'transformed-prod.yaml') };
    await expand([[paths.beta, join(dir, 'beta.json')], [paths.prod, join(dir, 'prod.json')]]);
    for (const stage of ['beta', 'prod'] as const) expanded[stage] = JSON.parse(readFileSync(join(dir, `${stage}.json`), 'utf8'));
    lint = await cfnLint([paths.beta, paths.prod]);
  });
  after(async () => {
    build?.cleanup();
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the build re-pointed the prod API (the step said so) and not the beta one', () => {
    assert.match(build.run.output, new RegExp(`alias ${ALIAS}: ${ROUTES.length} of ${ROUTES.length} integration URI\\(s\\) re-pointed, invoke permission already on it`));
    assert.equal((build.run.output.match(/^point_api_at_alias:/gm) ?? []).length, 1, 'the step runs for prod only');
  });

  it('prod: a deployment group of the chosen type, rolling back on alarms defined in the template', () => {
    const groups = ofType(expanded.prod, 'AWS::CodeDeploy::DeploymentGroup');
    assert.deepEqual(groups.map(([id]) => id), SHIFTED_FUNCTIONS.map((fn) => `${fn}DeploymentGroup`));
    const group = groups[0]![1].Properties;
    const [configText, configVars] = group.DeploymentConfigName['Fn::Sub'];
    assert.equal(configText.replace('${ConfigName}', configVars.ConfigName), `CodeDeployDefault.Lambda${CANARY.prodDeployment}`);
    assert.deepEqual(group.DeploymentStyle, { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' });
    assert.ok(group.AutoRollbackConfiguration.Enabled && group.AutoRollbackConfiguration.Events.includes('DEPLOYMENT_STOP_ON_ALARM'));
    assert.equal(group.AlarmConfiguration.Enabled, true);
    const alarms = group.AlarmConfiguration.Alarms.map((alarm: Template) => alarm.Name.Ref);
    assert.equal(alarms.length, 2);
    for (const alarm of alarms) assert.equal(expanded.prod.Resources[alarm]?.Type, 'AWS::CloudWatch::Alarm', `${alarm} is an alarm of the template`);
    // One alarm on the alias as a whole, one on the version being deployed (ExecutedVersion of the new version).
    const dimensions = alarms.map((alarm: string) => expanded.prod.Resources[alarm].Properties.Dimensions.map((d: Template) => d.Name).sort().join(','));
    assert.deepEqual(dimensions.sort(), ['ExecutedVersion,FunctionName,Resource', 'FunctionName,Resource']);
    // The pre-created role, passed as a stack parameter: the transform creates no CodeDeploy role of its own.
    assert.deepEqual(group.ServiceRoleArn, { Ref: 'CodeDeployRoleArn' });
    assert.deepEqual(ofType(expanded.prod, 'AWS::IAM::Role').map(([id]) => id), ['DefaultRole']);
  });

  it('prod: an alias on a published version; every API integration URI and the invoke permission on the alias', () => {
    const aliasId = `APIHandlerAlias${ALIAS}`;
    assert.equal(expanded.prod.Resources[aliasId]?.Type, 'AWS::Lambda::Alias');
    assert.ok(expanded.prod.Resources[aliasId].UpdatePolicy.CodeDeployLambdaAliasUpdate, 'alias updates go through CodeDeploy');
    assert.equal(ofType(expanded.prod, 'AWS::Lambda::Version').length, 1);
    const [, api] = ofType(expanded.prod, 'AWS::ApiGateway::RestApi')[0]!;
    const uris = integrationUris(api.Properties.Body);
    assert.deepEqual([...uris.keys()].sort(), [...ROUTES].sort());
    for (const [route, uri] of uris) assert.match(uri, new RegExp(`/functions/\\$\\{${aliasId}\\}/invocations$`), route);
    assert.deepEqual(expanded.prod.Resources.APIHandlerInvokePermission.Properties.FunctionName, { Ref: aliasId });
    // The authorizer keeps calling its own function (it does not shift).
    const authorizerUri = JSON.stringify(api.Properties.Body.securityDefinitions);
    assert.match(authorizerUri, /\$\{Token\.Arn\}\/invocations/);
  });

  it('beta: all at once, the API on the unqualified function', () => {
    const beta = expanded.beta;
    for (const type of ['AWS::CodeDeploy::DeploymentGroup', 'AWS::CodeDeploy::Application', 'AWS::Lambda::Alias', 'AWS::Lambda::Version', 'AWS::CloudWatch::Alarm']) {
      assert.deepEqual(ofType(beta, type), [], `beta has no ${type}`);
    }
    const [, api] = ofType(beta, 'AWS::ApiGateway::RestApi')[0]!;
    for (const [route, uri] of integrationUris(api.Properties.Body)) assert.match(uri, /\/functions\/\$\{APIHandler\.Arn\}\/invocations$/, route);
  });

  it('the deploy role allows every call the resource handlers make for both stacks, the new resource types included', () => {
    const statements = roleStatements(templateFor(CANARY) as unknown as CfnTemplate, 'CFNDeployRole');
    const types = new Set<string>();
    for (const [stage, stack] of [['beta', 'ordersBetaStack'], ['prod', 'ordersProdStack']] as const) {
      // The packaged code as the role's test account names it (the build uploaded it to a bucket of its own).
      const template = JSON.parse(JSON.stringify(expanded[stage]).replaceAll(build.bucket, APP_BUCKET)) as CfnTemplate;
      const requests = new DeployedStack(template, stack, true, { CodeDeployRoleArn: pipelineRoleArn('CodeDeployRole') }).requests();
      for (const request of requests) types.add(request.resourceId.replace(/^.*\((.*)\)$/, '$1'));
      const denied = requests.filter((request) => !allows(statements, request)).map((r) => `${stage} ${r.resourceId}: ${r.action} on ${r.resource}`);
      assert.deepEqual(denied, []);
      if (stage === 'prod') {
        // The check can fail: without the deployment-group statement, the group and the alias update are refused.
        const without = statements.filter((statement) => statement.Sid !== 'ManageProdDeploymentGroups');
        assert.ok(requests.some((request) => request.action === 'codedeploy:CreateDeployment' && !allows(without, request)));
      }
    }
    for (const type of ['AWS::Lambda::Version', 'AWS::Lambda::Alias', 'AWS::CloudWatch::Alarm', 'AWS::CodeDeploy::Application', 'AWS::CodeDeploy::DeploymentGroup']) assert.ok(types.has(type), type);
  });

  it('prod in another account: the deploy role target-account.json makes there allows every call of the prod stack', () => {
    const target = JSON.parse(newRepositoryFiles({ ...CANARY, prodAccountId: '222222222222' }).get('target-account.json')!) as CfnTemplate;
    target.Parameters!.PipelineAccountId.Default = '111111111111';
    const statements = roleStatements(target, 'DeployRole');
    // The code stays in the pipeline account's bucket: S3 gives the request that account as s3:ResourceAccount.
    const template = JSON.parse(JSON.stringify(expanded.prod).replaceAll(build.bucket, APP_BUCKET)) as CfnTemplate;
    const passed = `arn:aws:iam::${ACCOUNT}:role/ordersProdCodeDeployRole`;
    const requests = new DeployedStack(template, 'ordersProdStack', true, { CodeDeployRoleArn: passed }).requests()
      .map((request) => (request.action.startsWith('s3:GetObject') ? { ...request, context: { ...request.context, 's3:ResourceAccount': '111111111111' } } : request));
    assert.ok(requests.some((request) => request.action === 'iam:PassRole' && request.resource === passed));
    assert.deepEqual(requests.filter((request) => !allows(statements, request)).map((r) => `${r.resourceId}: ${r.action} on ${r.resource}`), []);
  });

  it('cfn-lint finds nothing on the packaged templates (the local Python runtime E2533 aside)', () => {
    const findings = [...lint.values()].join('').split('\n').filter((line) => line !== '' && !/:E2533:/.test(line));
    assert.deepEqual(findings, []);
  });
});

describe('the alias step (release/point_api_at_alias.py) is idempotent and knows aliased templates', () => {
  const script = newRepositoryFiles(CANARY).get(ALIAS_SCRIPT_PATH)!;
  const dir = tempDir('cp-alias-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  const uri = (target: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/${target}/invocations` });
  const template = (target: string, functionName: Template = { Ref: 'APIHandler' }) => ({
    Resources: {
      APIHandler: { Type: 'AWS::Serverless::Function', Properties: { AutoPublishAlias: ALIAS } },
      APIHandlerInvokePermission: { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: functionName } },
      RestAPI: { Type: 'AWS::Serverless::Api', Properties: { DefinitionBody: { paths: { '/': { get: { 'x-amazon-apigateway-integration': { uri: uri(target) } } } } } } },
    },
  });
  async function point(name: string, data: unknown): Promise<{ status: number | null; output: string; after: Template }> {
    writeFileSync(join(dir, 'point.py'), script);
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(data));
    const run = await runCommand('python3', [join(dir, 'point.py'), path], { cwd: dir, env: pythonEnv(), timeoutMs: 30_000 });
    return { ...run, after: JSON.parse(readFileSync(path, 'utf8')) };
  }

  it('re-points once, then changes nothing', async () => {
    const first = await point('plain', template('${APIHandler.Arn}'));
    assert.equal(first.status, 0, first.output);
    assert.match(first.output, /1 of 1 integration URI\(s\) re-pointed, invoke permission re-pointed/);
    const second = await point('again', first.after);
    assert.match(second.output, /0 of 1 integration URI\(s\) re-pointed, invoke permission already on it/);
    assert.deepEqual(second.after, first.after);
  });

  it("leaves Chalice's lambda_alias form ${APIHandler.Arn}:<alias> alone, and refuses another alias than the shifted one", async () => {
    const aliased = template(`\${APIHandler.Arn}:${ALIAS}`, { 'Fn::Sub': `\${APIHandler.Arn}:${ALIAS}` });
    const run = await point('chalice-alias', aliased);
    assert.match(run.output, /0 of 1 integration URI\(s\) re-pointed, invoke permission already on it/);
    assert.deepEqual(run.after, aliased);
    const other = await point('other-alias', template('${APIHandler.Arn}:blue'));
    assert.notEqual(other.status, 0);
    assert.match(other.output, /GET \/ calls alias blue, but traffic shifts alias live/);
  });

  it('fails clearly for an app without a REST API or a template packaged without the merge template', async () => {
    const noApi = await point('no-api', { Resources: { Worker: { Type: 'AWS::Serverless::Function', Properties: {} } } });
    assert.notEqual(noApi.status, 0);
    assert.match(noApi.output, /no APIHandler function .*answer prodDeployment AllAtOnce/);
    const unmerged = template('${APIHandler.Arn}');
    delete (unmerged.Resources.APIHandler.Properties as Template).AutoPublishAlias;
    const run = await point('unmerged', unmerged);
    assert.match(run.output, /no AutoPublishAlias: package with --merge-template release\/prod-traffic-shifting.json first/);
  });
});

// ---- the deploy role and the CodeDeploy role ---------------------------------------------------------------------

describe('the roles traffic shifting adds or widens', () => {
  const template = templateFor(CANARY) as unknown as CfnTemplate;
  const deploy = roleStatements(template, 'CFNDeployRole');
  const codeDeploy = roleStatements(template, 'CodeDeployRole');
  const prodFunction = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:ordersProdStack-APIHandler-1A2B3C4D5E6F7`;
  const betaFunction = prodFunction.replace('ProdStack', 'BetaStack');

  it('the deploy role passes only the pre-created CodeDeploy role, only to CodeDeploy; beta gets no alias', () => {
    const pass = (role: string, service: string) => allows(deploy, { action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': service } });
    assert.ok(pass(pipelineRoleArn('CodeDeployRole'), 'codedeploy.amazonaws.com'));
    assert.ok(!pass(pipelineRoleArn('CodeDeployRole'), 'lambda.amazonaws.com'));
    assert.ok(!pass(pipelineRoleArn('CFNDeployRole'), 'codedeploy.amazonaws.com'));
    assert.ok(allows(deploy, { action: 'lambda:CreateAlias', resource: prodFunction }));
    assert.ok(!allows(deploy, { action: 'lambda:CreateAlias', resource: betaFunction }), 'beta does not shift: no alias there');
    assert.deepEqual(objectAt(asList(objectAt(template.Resources.CodeDeployRole!.Properties!.AssumeRolePolicyDocument).Statement)[0]).Principal, { Service: 'codedeploy.amazonaws.com' });
  });

  it('the CodeDeploy role moves the prod aliases and reads the prod alarms, nothing more', () => {
    assert.ok(allows(codeDeploy, { action: 'lambda:UpdateAlias', resource: `${prodFunction}:${ALIAS}` }));
    assert.ok(allows(codeDeploy, { action: 'cloudwatch:DescribeAlarms', resource: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:ordersProdStack-APIHandler-new-version-errors` }));
    assert.ok(!allows(codeDeploy, { action: 'lambda:UpdateAlias', resource: `${betaFunction}:${ALIAS}` }));
    assert.ok(!allows(codeDeploy, { action: 'lambda:InvokeFunction', resource: prodFunction }));
  });

  it('prod in another region of this account: the CodeDeploy role names prod\'s region', () => {
    const placed = templateFor({ ...CANARY, region: 'us-east-1', prodRegion: 'eu-west-1' }) as unknown as CfnTemplate;
    const role = roleStatements(placed, 'CodeDeployRole');
    const inRegion = (region: string) => `arn:aws:lambda:${region}:${ACCOUNT}:function:ordersProdStack-APIHandler-1A2B3C4D5E6F7:${ALIAS}`;
    assert.ok(allows(role, { action: 'lambda:UpdateAlias', resource: inRegion('eu-west-1') }));
    assert.ok(!allows(role, { action: 'lambda:UpdateAlias', resource: inRegion('us-east-1') }));
  });

  it('the prod change set passes the CodeDeploy role by reference', () => {
    const create = pipelineActions(template.Resources.AppPipeline!.Properties!).find(({ action }) => action.Name === 'CreateProdChangeSet')!.action;
    const overrides = objectAt(objectAt(create.Configuration).ParameterOverrides)['Fn::Sub'];
    assert.deepEqual(JSON.parse(String(overrides)), { CodeDeployRoleArn: '${CodeDeployRole.Arn}' });
  });
});

describe('make status shows the running production traffic shift, wherever prod lives', () => {
  const replies = {
    '*describe-stack-resource*': 'orders-app-ServerlessDeploymentApplication-X1', '*list-deployments*': 'd-ABC123',
    '*get-deployment*': 'd-ABC123 InProgress CodeDeployDefault.LambdaCanary10Percent10Minutes', '*get-caller-identity*': '"$FAKE_ACCOUNT"',
  };
  const deploymentCalls = (aws: string) => aws.split('\n').filter((line) => /^(--profile \S+ )?(cloudformation describe-stack-resource|deploy )/.test(line));

  it('prod here: the prod stack\'s CodeDeploy application, its running deployments and how to stop them', () => {
    const status = repositoryWithFakeAws({ ...CANARY, region: 'us-east-1' }, replies)(['status']);
    assert.equal(status.status, 0, status.stderr);
    assert.deepEqual(deploymentCalls(status.aws).map((line) => line.split(' --query')[0]), [
      'cloudformation describe-stack-resource --region us-east-1 --stack-name ordersProdStack --logical-resource-id ServerlessDeploymentApplication',
      'deploy list-deployments --region us-east-1 --application-name orders-app-ServerlessDeploymentApplication-X1 --include-only-statuses Created Queued InProgress Baking Ready',
      'deploy get-deployment --region us-east-1 --deployment-id d-ABC123',
    ]);
    assert.match(status.stdout, /stop it and roll back: aws deploy stop-deployment --region us-east-1 --deployment-id d-ABC123 --auto-rollback-enabled/);
  });

  it('prod in another region: asks that region; a long app name: its shortened stack', () => {
    const appName = 'order-processing-service-for-the-warehouse';
    const status = repositoryWithFakeAws({ ...CANARY, appName, region: 'us-east-1', prodRegion: 'eu-west-1' }, replies)(['status']);
    assert.equal(status.status, 0, status.stderr);
    const calls = deploymentCalls(status.aws);
    assert.equal(calls.length, 3);
    for (const call of calls) assert.match(call, / --region eu-west-1 /);
    assert.match(calls[0], new RegExp(` --stack-name ${projectFor({ appName }).appStacks.prod.value} `));
    assert.notEqual(projectFor({ appName }).appStacks.prod.value, `${appName}ProdStack`);
  });

  it('prod in another account and region: with PROD_PROFILE (checked to be that account\'s), asks with it in PROD_REGION; without, says how', () => {
    const make = repositoryWithFakeAws({ ...CANARY, region: 'us-east-1', prodAccountId: '222222222222', prodRegion: 'eu-west-1' }, replies);
    const without = make(['status']);
    assert.equal(without.status, 0, without.stderr);
    assert.match(without.stdout, /production is in account 222222222222: add PROD_PROFILE=<profile of that account> to see its traffic shift/);
    assert.deepEqual(deploymentCalls(without.aws), []);
    // --profile on each call: credentials in the environment would win over AWS_PROFILE.
    const withProfile = make(['status', 'PROD_PROFILE=prod-admin', 'PROD_REGION=eu-central-1']);
    assert.equal(withProfile.status, 0, withProfile.stderr);
    const calls = deploymentCalls(withProfile.aws);
    assert.equal(calls.length, 3);
    for (const call of calls) assert.match(call, /^--profile prod-admin .* --region eu-central-1 /);
    assert.match(withProfile.aws, /^codepipeline get-pipeline-state /m, 'the pipeline state with the pipeline account\'s credentials');
    assert.match(withProfile.stdout, /stop it and roll back: aws --profile prod-admin deploy stop-deployment --region eu-central-1/);
    const wrong = make(['status', 'PROD_PROFILE=dev'], '999999999999');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /PROD_PROFILE=dev is for account 999999999999, not 222222222222 \(production\)/);
  });

  it('a failing call is shown (expired credentials), not taken for "no CodeDeploy application yet"', () => {
    const make = repositoryWithFakeAws({ ...CANARY, region: 'us-east-1' }, { ...replies, '*describe-stack-resource*': '"ExpiredToken: the security token included in the request is expired" >&2; exit 255' });
    const status = make(['status']);
    assert.notEqual(status.status, 0);
    assert.match(status.stderr, /ExpiredToken/);
    assert.doesNotMatch(status.stdout, /no CodeDeploy application yet/);
    const missing = repositoryWithFakeAws({ ...CANARY, region: 'us-east-1' }, { ...replies, '*describe-stack-resource*': '"Stack \'ordersProdStack\' does not exist" >&2; exit 255' })(['status']);
    assert.equal(missing.status, 0, missing.stderr);
    assert.match(missing.stdout, /no CodeDeploy application yet: the first production deploy creates it/);
  });
});

// ---- failure notifications ---------------------------------------------------------------------------------------

describe('failure notifications', () => {
  const rule = (template: CfnTemplate) => template.Resources.PipelineFailureNotification;

  it('a CodeStar Notifications rule on the pipeline, failed executions only, BASIC detail, to the topic', () => {
    const template = templateFor({ notificationEmail: 'ops@example.com' }) as unknown as CfnTemplate;
    const properties = rule(template)!.Properties!;
    assert.equal(rule(template)!.Type, 'AWS::CodeStarNotifications::NotificationRule');
    assert.deepEqual(properties.EventTypeIds, [FAILED_EXECUTION_EVENT]);
    assert.equal(properties.DetailType, 'BASIC');
    assert.deepEqual(properties.Resource, { 'Fn::Sub': 'arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:${AppPipeline}' });
    assert.deepEqual(properties.Targets, [{ TargetType: 'SNS', TargetAddress: { Ref: 'PipelineFailureTopic' } }]);
    const longest = templateFor({ appName: 'a'.repeat(60), notificationEmail: 'ops@example.com' }) as unknown as CfnTemplate;
    assert.ok(String(objectAt(longest.Resources.PipelineFailureNotification!.Properties!.Name)['Fn::Sub']).length <= 64, 'the rule name fits 64 characters');
  });

  it('the topic admits only CodeStar Notifications (over TLS) and has the e-mail subscribed', () => {
    const template = templateFor({ notificationEmail: 'ops@example.com' }) as unknown as CfnTemplate;
    const statements = asList(objectAt(template.Resources.PipelineFailureTopicPolicy!.Properties!.PolicyDocument).Statement).map(objectAt);
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    assert.deepEqual(allows.map((statement) => [statement.Principal, statement.Action]), [[{ Service: 'codestar-notifications.amazonaws.com' }, 'sns:Publish']]);
    assert.ok(statements.some((statement) => statement.Effect === 'Deny' && JSON.stringify(statement.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}'));
    assert.deepEqual(template.Resources.PipelineFailureTopic!.Properties!.Subscription, [{ Endpoint: { Ref: 'NotificationEmail' }, Protocol: 'email' }]);
    assert.equal(template.Parameters?.NotificationEmail?.Default, 'ops@example.com');
  });

  it('defaults to the approval address; no e-mail at all, no rule', () => {
    assert.equal(templateFor({ approvalEmail: 'team@example.com' }).Parameters.NotificationEmail?.Default, 'team@example.com');
    assert.equal(projectFor({ approvalEmail: 'team@example.com', notificationEmail: 'ops@example.com' }).notificationEmail, 'ops@example.com');
    const quiet = templateFor({}) as unknown as CfnTemplate;
    assert.equal(rule(quiet), undefined);
    assert.equal(quiet.Parameters?.NotificationEmail, undefined);
  });
});

// ---- self-update -------------------------------------------------------------------------------------------------

describe('self-update', () => {
  const variants = answersMatrix().filter((answers) => answers.selfUpdate).map((answers) => templateFor(answers) as unknown as CfnTemplate);
  const template = templateFor({ selfUpdate: true, prodDeployment: 'Linear10PercentEvery1Minute', approvalEmail: 'team@example.com' }) as unknown as CfnTemplate;
  const stages = (t: CfnTemplate) => asList(t.Resources.AppPipeline!.Properties!.Stages).map(objectAt);
  const pipelineStack = 'orders-pipeline';

  // Right after Source, or after the broadening gate that reviews the pushed pipeline.json (test/review-pipeline.test.ts).
  const updateStage = (t: CfnTemplate) => stages(t).find((stage) => stage.Name === 'UpdatePipeline')!;
  it('a stage right after Source (and its broadening gate): change set on this stack from the source pipeline.json, then execute; restart on update', () => {
    for (const t of [template, ...variants]) {
      const names = stages(t).map((stage) => String(stage.Name));
      assert.deepEqual(names.slice(0, names.indexOf('UpdatePipeline') + 1).filter((name) => !name.endsWith('Pipeline') && !name.endsWith('PipelineBroadening')), ['Source']);
      const stage = updateStage(t);
      const [create, execute] = asList(stage.Actions).map(objectAt);
      const config = objectAt(create!.Configuration);
      assert.equal(config.ActionMode, 'CHANGE_SET_REPLACE');
      assert.deepEqual(config.StackName, { Ref: 'AWS::StackName' });
      assert.equal(config.TemplatePath, 'SourceRepo::pipeline.json');
      // CloudFormation wants CAPABILITY_NAMED_IAM exactly when a role of the template has a name of its own.
      const named = Object.values(t.Resources).some((r) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName !== undefined);
      assert.equal(config.Capabilities, named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM');
      assert.deepEqual(config.RoleArn, { 'Fn::GetAtt': ['PipelineUpdateRole', 'Arn'] });
      assert.deepEqual(create!.InputArtifacts, [{ Name: 'SourceRepo' }]);
      assert.equal(objectAt(execute!.Configuration).ActionMode, 'CHANGE_SET_EXECUTE');
      assert.deepEqual(objectAt(execute!.Configuration).ChangeSetName, config.ChangeSetName);
      assert.equal(t.Resources.AppPipeline!.Properties!.RestartExecutionOnUpdate, true);
    }
  });

  it('carries every parameter by reference, so nothing falls back to its default', () => {
    for (const t of [template, ...variants]) {
      const config = objectAt(objectAt(asList(updateStage(t).Actions)[0]).Configuration);
      const overrides = JSON.parse(String(objectAt(config.ParameterOverrides)['Fn::Sub']));
      assert.deepEqual(overrides, Object.fromEntries(Object.keys(t.Parameters ?? {}).map((name) => [name, `\${${name}}`])));
    }
  });

  it('the update role: this stack only, no * action or resource, roles only with the boundary, which it cannot remove or edit', () => {
    const statements = policyStatements(template).filter(({ where }) => where.startsWith('PipelineUpdateRole/'));
    assert.ok(statements.length > 5);
    for (const { where, statement } of statements) {
      for (const action of asList(statement.Action)) assert.ok(action !== '*' && !String(action).endsWith(':*'), `${where}: ${action}`);
      for (const resource of asList(statement.Resource)) {
        const text = typeof resource === 'string' ? resource : JSON.stringify(resource);
        assert.notEqual(text, '*', where);
        // Every ARN is this stack's (its name, its app's names) or one of its resources by reference.
        // (Notification rules end in a random id: their statement is scoped by a condition on the pipeline they watch.)
        const scopedByCondition = JSON.stringify(statement.Condition ?? {}).includes('${ApplicationName}Pipeline');
        assert.ok(scopedByCondition || /\$\{AWS::StackName\}|\$\{ApplicationName\}|"(Fn::GetAtt|Ref)"|log-group:\*/.test(text), `${where}: ${text}`);
      }
    }
    const iamChanges = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary'];
    for (const action of iamChanges) {
      const granting = statements.filter(({ statement }) => statement.Effect === 'Allow' && asList(statement.Action).includes(action));
      assert.equal(granting.length, 1, action);
      const condition = granting[0]!.statement.Condition as Record<string, unknown>;
      assert.deepEqual(condition.StringEquals, { 'iam:PermissionsBoundary': { Ref: 'PipelineRolesBoundary' } }, action);
      // Managed policies: only the stack's own (test/self-update-role.test.ts evaluates it).
      if (/AttachRolePolicy|DetachRolePolicy/.test(action)) assert.ok(JSON.stringify(condition.ArnLike).includes('iam:PolicyARN'), action);
    }
    const denied = statements.filter(({ statement }) => statement.Effect === 'Deny').flatMap(({ statement }) => asList(statement.Action));
    for (const action of ['iam:DeleteRolePermissionsBoundary', 'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:SetDefaultPolicyVersion']) assert.ok(denied.includes(action), action);
    assert.ok(!statements.some(({ statement }) => statement.Effect === 'Allow' && asList(statement.Action).some((a) => /^iam:(DeleteRolePermissionsBoundary|CreatePolicyVersion)$/.test(String(a)))));
    // A trust policy is rewritten only on the bounded roles, by name.
    const trust = statements.filter(({ statement }) => statement.Effect === 'Allow' && asList(statement.Action).includes('iam:UpdateAssumeRolePolicy'));
    assert.deepEqual(trust.flatMap(({ statement }) => asList(statement.Resource).map((r) => JSON.stringify(r).replace(/.*role\/\$\{AWS::StackName\}-(\w+)-\*.*/, '$1'))).sort(), ['CodeBuildRole', 'CodeDeployRole', 'SourceChangeRuleRole']);
  });

  it('bounded roles carry the boundary, which holds exactly their own actions; the deploying roles carry none', () => {
    const bounded = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties?.PermissionsBoundary).map(([id]) => id).sort();
    assert.deepEqual(bounded, ['CodeBuildRole', 'CodeDeployRole', 'SourceChangeRuleRole']);
    for (const role of ['CodePipelineRole', 'CFNDeployRole', 'PipelineUpdateRole']) assert.equal(template.Resources[role]!.Properties!.PermissionsBoundary, undefined, role);
    const boundary = policyStatements(template).filter(({ where }) => where.startsWith('PipelineRolesBoundary/'));
    const actions = (filter: (where: string) => boolean) => new Set(policyStatements(template).filter(({ where }) => filter(where)).flatMap(({ statement }) => asList(statement.Action).map(String)));
    const own = actions((where) => /^(CodeBuildPolicy|CodeBuildRole|CodeDeployRole|SourceChangeRuleRole)\//.test(where));
    assert.deepEqual(new Set(boundary.flatMap(({ statement }) => asList(statement.Action).map(String))), own);
    // A managed policy holds at most 6,144 characters (whitespace aside).
    assert.ok(JSON.stringify(template.Resources.PipelineRolesBoundary!.Properties!.PolicyDocument).length < 6144);
  });

  it('the update role may pass the pipeline\'s role to CodePipeline (an update of the pipeline passes it again), named or not', () => {
    const crossAccount = variants.filter((t) => t.Resources.CodePipelineRole!.Properties!.RoleName !== undefined);
    assert.ok(crossAccount.length > 0 && crossAccount.length < variants.length);
    for (const t of variants) {
      const roleName = t.Resources.CodePipelineRole!.Properties!.RoleName;
      const name = roleName === undefined ? `${pipelineStack}-CodePipelineRole-1A2B3C4D5E6F7` : String(objectAt(roleName)['Fn::Sub'] ?? roleName).replace('${ApplicationName}', 'orders');
      // The update role's PassRole statements alone, with the stack's name filled in.
      const passing = policyStatements(t).filter(({ where, statement }) => where.startsWith('PipelineUpdateRole/') && asList(statement.Action).includes('iam:PassRole'));
      const role = JSON.parse(JSON.stringify({
        Parameters: t.Parameters,
        Resources: { R: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyDocument: { Statement: passing.map(({ statement }) => statement) } }] } } },
      }).replaceAll('${AWS::StackName}', pipelineStack)) as CfnTemplate;
      const pass = { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/${name}`, context: { 'iam:PassedToService': 'codepipeline.amazonaws.com' } };
      assert.ok(allows(roleStatements(role, 'R'), pass), name);
      assert.ok(!allows(roleStatements(role, 'R'), { ...pass, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }));
    }
  });

  it('the pipeline role may run the stage on this stack and pass the update role to CloudFormation only', () => {
    const statements = policyStatements(template).filter(({ where }) => where.startsWith('CodePipelineRole/'));
    const update = statements.find(({ where }) => where.endsWith('/UpdateOwnStack'))!.statement;
    assert.deepEqual(update.Resource, [{ 'Fn::Sub': 'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*' }]);
    const pass = statements.find(({ where }) => where.endsWith('/PassUpdateRole'))!.statement;
    assert.deepEqual(pass.Condition, { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } });
  });
});

// ---- with the features off, the template is exactly the one without them ------------------------------------------

/** The template minus exactly what the three features add, given the ids, parameters and statements they may add. */
function withoutReleases(template: Template): Template {
  const copy = JSON.parse(JSON.stringify(template)) as Template;
  for (const id of ['CodeDeployRole', 'PipelineFailureTopic', 'PipelineFailureTopicPolicy', 'PipelineFailureNotification', 'PipelineUpdateRole', 'PipelineRolesBoundary']) delete copy.Resources[id];
  delete copy.Parameters.NotificationEmail;
  delete copy.Outputs.PipelineFailureTopicArn;
  const added = new Set(['ManageProdAliasesAndVersions', 'ManageProdAlarms', 'ManageProdDeploymentApplication', 'ManageProdDeploymentGroups', 'ReadProdDeploymentConfig', 'PassCodeDeployRole', 'UpdateOwnStack', 'PassUpdateRole']);
  for (const resource of Object.values(copy.Resources) as Template[]) {
    delete resource.Properties?.PermissionsBoundary;
    for (const policy of resource.Properties?.Policies ?? []) policy.PolicyDocument.Statement = policy.PolicyDocument.Statement.filter((s: Template) => !added.has(s.Sid));
  }
  const pipeline = copy.Resources.AppPipeline.Properties;
  // The self-update's broadening gate: its stages, and the pipeline stack in what the review may read.
  pipeline.Stages = pipeline.Stages.filter((stage: Template) => !['UpdatePipeline', 'ReviewPipeline', 'ApprovePipelineBroadening'].includes(stage.Name));
  for (const statement of copy.Resources.ChangeReviewRole?.Properties.Policies[0].PolicyDocument.Statement ?? []) {
    if (statement.Sid === 'ReadReviewedStacks') statement.Resource = statement.Resource.filter((arn: Template) => !JSON.stringify(arn).includes('${AWS::StackName}'));
  }
  // No other stack of this account reviewed (every app stage in another account): no statement reading stacks here;
  // nothing reviewed at all: no review build either.
  const review = copy.Resources.ChangeReviewRole?.Properties.Policies[0].PolicyDocument;
  if (review?.Statement.find((s: Template) => s.Sid === 'ReadReviewedStacks')?.Resource.length === 0) {
    review.Statement = review.Statement.filter((s: Template) => s.Sid !== 'ReadReviewedStacks');
  }
  if (review && !review.Statement.some((s: Template) => s.Sid === 'ReadReviewedStacks' || s.Sid === 'AssumeTargetReviewRoles')) {
    delete copy.Resources.ChangeReviewRole;
    delete copy.Resources.ChangeReviewBuild;
    for (const statement of copy.Resources.CodePipelineRole.Properties.Policies[0].PolicyDocument.Statement) {
      if (statement.Sid === 'RunBuilds') statement.Resource = statement.Resource.filter((arn: Template) => JSON.stringify(arn) !== '{"Fn::GetAtt":["ChangeReviewBuild","Arn"]}');
    }
  }
  pipeline.RestartExecutionOnUpdate = false;
  for (const stage of pipeline.Stages) for (const action of stage.Actions) delete action.Configuration.ParameterOverrides;
  copy.Description = copy.Description.replace(' -> ReviewPipeline', '').replace(' -> ApprovePipelineBroadening', '').replace(' -> UpdatePipeline', '');
  return copy;
}

describe('selfUpdate false, AllAtOnce and no e-mail give exactly the template without these features', () => {
  it('for every matrix entry: switching them off removes exactly their additions, nothing else changes', () => {
    for (const answers of answersMatrix()) {
      const off: PartialAnswers = { ...answers, selfUpdate: false, notificationEmail: '', ...(answers.production !== false ? { prodDeployment: 'AllAtOnce' } : {}) };
      delete off.approvalEmail;
      const on = { ...answers };
      delete on.approvalEmail;
      on.notificationEmail = 'ops@example.com';
      const offTemplate = templateFor(off) as Template;
      assert.deepEqual(withoutReleases(templateFor(on) as Template), offTemplate, JSON.stringify(answers));
      // And nothing of theirs is left when off.
      const text = JSON.stringify(offTemplate);
      for (const mark of ['CodeDeploy', 'PipelineFailure', 'NotificationEmail', 'UpdatePipeline', 'PermissionsBoundary', 'ParameterOverrides', 'codestar-notifications']) {
        assert.ok(!text.includes(mark), `${mark} in ${JSON.stringify(off)}`);
      }
      assert.equal(offTemplate.Resources.AppPipeline.Properties.RestartExecutionOnUpdate, false);
      // The defaults are the same as answering them off.
      const unset = { ...answers };
      for (const key of ['selfUpdate', 'prodDeployment', 'notificationEmail', 'approvalEmail'] as const) delete unset[key];
      assert.deepEqual(templateFor(unset), offTemplate);
    }
  });
});
