// The deploy role handler by handler, fast: each feature app of test/fixtures/chalice-features packaged once per run by
// the real Chalice (support/chalice-package.ts; $CHALICE_PACKAGE_CACHE keeps it for one `npm run mutate` run only),
// the role built as data from what the app's files say (no generator run, no Python), and every call the resource
// handlers make evaluated against it; plus hand-written traffic-shifting resources and the exact ARNs each statement
// names. `npm run mutate` runs it against lib/cloudformation/deploy-role.ts, where deploy-role.test.ts is too slow.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { finishAnswers, mergeAnswers } from '../lib/answers/answers.js';
import { describeProject } from '../lib/answers/project.js';
import type { PartialAnswers } from '../lib/answers/settings.js';
import { deployRole, exceptionsMetadata, TEAM_LAYERS_PARAMETER, TEAM_ROLES_PARAMETER } from '../lib/cloudformation/deploy-role.js';
import { pipelineTemplate } from '../lib/cloudformation/pipeline/template.js';
import { CHALICE_FEATURES, NEW_APP, type ChaliceAppFacts, type ChaliceFeatureId } from '../lib/facts/chalice-features.js';
import { chaliceAppIn } from '../lib/repository/chalice-app.js';
import { FEATURE_APPS, featureStackRequests, packageApps, type FeaturePackage } from './support/chalice-package.js';
import { DeployedStack, type HandlerRequest } from './support/handler-requests.js';
import { allows, pipelineRoleArn, roleStatements, type IamStatement } from './support/iam-policy.js';
import type { CfnTemplate } from './support/security-rules.js';

const FEATURES = CHALICE_FEATURES.map((feature) => feature.id);
const STACKS = { beta: 'shopBetaStack', prod: 'shopProdStack' } as const;
const CANARY: PartialAnswers = { appName: 'shop', prodDeployment: 'Canary10Percent10Minutes' };

const disk = {
  read: (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
  list: (path: string) => (existsSync(path) ? readdirSync(path) : []),
};

/** The CFNDeployRole of the pipeline for these answers and this app, resolved to plain strings. */
function roleFor(answers: PartialAnswers, app: ChaliceAppFacts = NEW_APP): IamStatement[] {
  const { answers: final } = finishAnswers(mergeAnswers({ flags: answers }, {}));
  return roleStatements(pipelineTemplate(describeProject(final, app)) as unknown as CfnTemplate, 'CFNDeployRole');
}

const denied = (statements: IamStatement[], requests: HandlerRequest[]) =>
  requests.filter((request) => !allows(statements, request)).map((r) => `${r.resourceId}: ${r.action} on ${r.resource}${r.context ? ` ${JSON.stringify(r.context)}` : ''}`);

let packaged: Map<string, FeaturePackage>;
before(() => {
  packaged = packageApps(FEATURES.map((feature) => join(FEATURE_APPS, feature)));
});

/** The calls CloudFormation makes for one feature app in both stacks. */
const handlerRequests = (feature: ChaliceFeatureId): HandlerRequest[] => featureStackRequests(packaged, feature, STACKS);

describe('the role built from each feature app\'s files allows every handler call of its beta and prod stacks', () => {
  for (const feature of FEATURES) {
    it(feature, () => {
      const app = chaliceAppIn(join(FEATURE_APPS, feature), disk, ['beta', 'prod']);
      const requests = handlerRequests(feature);
      assert.ok(requests.length > 1, `${feature}: the stacks make calls`);
      assert.deepEqual(denied(roleFor({ appName: 'shop' }, app), requests), []);
    });
  }

  it('every statement of an every-feature role is needed: each allows a call no other statement does', () => {
    // The union of all feature apps' calls, against a role for an app that configures them all.
    const apps = FEATURES.map((feature) => chaliceAppIn(join(FEATURE_APPS, feature), disk, ['beta', 'prod']));
    const all: ChaliceAppFacts = {
      ...NEW_APP,
      features: [...new Set(apps.flatMap((app) => app.features))],
      stackRoles: apps.some((app) => app.stackRoles),
      roleArns: [...new Set(apps.flatMap((app) => app.roleArns))],
      layerArns: [...new Set(apps.flatMap((app) => app.layerArns))],
      restDomains: apps.flatMap((app) => app.restDomains),
      websocketDomains: [...new Set(apps.flatMap((app) => app.websocketDomains))],
    };
    const statements = roleFor({ appName: 'shop' }, all);
    const requests = FEATURES.flatMap(handlerRequests);
    assert.deepEqual(denied(statements, requests), []);
    // SetUpEdgeDomains aside: no handler list names cloudfront:UpdateDistribution (API Gateway's guide requires it of
    // the caller); the test of edge domains below checks it.
    for (const statement of statements.filter((other) => other.Sid !== 'SetUpEdgeDomains')) {
      const without = statements.filter((other) => other !== statement);
      assert.ok(requests.some((request) => !allows(without, request)), `${statement.Sid} allows no call the others do not`);
    }
  });
});

/**
 * The resources traffic shifting adds to the prod stack (what the SAM transform makes of a DeploymentPreference and
 * the alarms lib/cloudformation/pipeline/traffic-shifting.ts merges in), written by hand, with the function they shift.
 */
function shiftedStack(): CfnTemplate {
  return {
    Resources: {
      // The function itself is the functions test's: its calls are left out below.
      APIHandler: { Type: 'AWS::Lambda::Function', Properties: { Role: 'arn:aws:iam::123456789012:role/unused', Code: { S3Bucket: 'unused', S3Key: 'unused' } } },
      APIHandlerVersion1: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'APIHandler' } } },
      APIHandlerAliaslive: {
        Type: 'AWS::Lambda::Alias',
        Properties: { FunctionName: { Ref: 'APIHandler' }, FunctionVersion: { 'Fn::GetAtt': ['APIHandlerVersion1', 'Version'] }, Name: 'live' },
        UpdatePolicy: { CodeDeployLambdaAliasUpdate: { ApplicationName: { Ref: 'ServerlessDeploymentApplication' }, DeploymentGroupName: { Ref: 'APIHandlerDeploymentGroup' } } },
      },
      APIHandlerErrorsAlarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: { 'Fn::Sub': '${AWS::StackName}-APIHandler-errors' } } },
      ServerlessDeploymentApplication: { Type: 'AWS::CodeDeploy::Application', Properties: { ComputePlatform: 'Lambda' } },
      APIHandlerDeploymentGroup: {
        Type: 'AWS::CodeDeploy::DeploymentGroup',
        Properties: {
          ApplicationName: { Ref: 'ServerlessDeploymentApplication' }, ServiceRoleArn: { Ref: 'CodeDeployRoleArn' },
          DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent10Minutes',
        },
      },
    },
  } as unknown as CfnTemplate;
}

describe('properties a merge template may add to the stacks\' roles and rules (tags, attached managed policies)', () => {
  it('the handler calls they add (iam:TagRole, iam:AttachRolePolicy, events:TagResource...) are allowed on the stack\'s own roles and rules', () => {
    const template = structuredClone(packaged.get(`${join(FEATURE_APPS, 'schedule')}@beta`)!.transformed!) as CfnTemplate;
    const tags = [{ Key: 'team', Value: 'shop' }];
    let changed = 0;
    for (const resource of Object.values(template.Resources) as { Type: string; Properties: Record<string, unknown> }[]) {
      if (resource.Type === 'AWS::IAM::Role') Object.assign(resource.Properties, { Tags: tags, ManagedPolicyArns: ['arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess'] });
      if (resource.Type === 'AWS::Events::Rule') Object.assign(resource.Properties, { Tags: tags });
      if (resource.Type === 'AWS::IAM::Role' || resource.Type === 'AWS::Events::Rule') changed += 1;
    }
    assert.ok(changed >= 2, 'the schedule app has a role and a rule');
    const requests = new DeployedStack(template, STACKS.beta).requests();
    const actions = new Set(requests.map((request) => request.action));
    for (const action of ['iam:TagRole', 'iam:UntagRole', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'events:TagResource', 'events:UntagResource']) assert.ok(actions.has(action), action);
    const app = chaliceAppIn(join(FEATURE_APPS, 'schedule'), disk, ['beta', 'prod']);
    assert.deepEqual(denied(roleFor({ appName: 'shop' }, app), requests), []);
  });
});

describe('edge-optimized domains (API Gateway\'s own CloudFront distribution)', () => {
  const domainApp = (edge: boolean): ChaliceAppFacts => ({ ...NEW_APP, features: ['routes', 'rest-domain'], restDomains: [{ name: 'api.example.com', edge }] });
  const update = { action: 'cloudfront:UpdateDistribution', resource: 'arn:aws:cloudfront::123456789012:distribution/E1A2B3C4D5' };

  it('an edge domain gets cloudfront:UpdateDistribution; a regional one does not', () => {
    assert.equal(allows(roleFor({ appName: 'shop' }, domainApp(true)), update), true);
    assert.equal(allows(roleFor({ appName: 'shop' }, domainApp(false)), update), false);
  });

  it('a regional beta domain and an edge prod domain: the edge one needs it, the grant names both', () => {
    const role = deployRole(SCOPE, { ...NEW_APP, features: ['routes', 'rest-domain'], restDomains: [{ name: 'beta.example.com', edge: false }, { name: 'api.example.com', edge: true }] });
    assert.ok(role.statements.some((statement) => statement.Sid === 'SetUpEdgeDomains'));
    assert.equal(role.grants.find((grant) => grant.feature === 'rest-domain')?.grants, 'the custom domain names beta.example.com, api.example.com and their base path mappings');
  });
});

describe('traffic shifting in prod (hand-written resources of the shifted stack)', () => {
  const template = shiftedStack();
  const shifted = (stack: string) => new DeployedStack(template, stack, true, { CodeDeployRoleArn: pipelineRoleArn('CodeDeployRole') }).requests()
    .filter((request) => !request.resourceId.startsWith('APIHandler (') && request.resourceId !== 'Transform');

  it('the canary role allows every call of the prod stack\'s versions, alias, alarms and CodeDeploy resources', () => {
    const requests = shifted(STACKS.prod);
    for (const type of ['Version', 'Alias', 'Alarm', 'Application', 'DeploymentGroup']) assert.ok(requests.some((r) => r.resourceId.includes(`::${type})`)), type);
    const statements = roleFor(CANARY);
    assert.deepEqual(denied(statements, requests), []);
    // Each traffic-shifting statement is needed.
    for (const sid of ['ManageProdAliasesAndVersions', 'ManageProdAlarms', 'ManageProdDeploymentApplication', 'ManageProdDeploymentGroups', 'ReadProdDeploymentConfig', 'PassCodeDeployRole']) {
      const without = statements.filter((statement) => statement.Sid !== sid);
      assert.ok(requests.some((request) => !allows(without, request)), `${sid} allows a call the others do not`);
    }
  });

  it('the same resources in the beta stack are refused (traffic shifting is prod\'s alone)', () => {
    const requests = shifted(STACKS.beta).filter((request) => !request.action.startsWith('lambda:GetFunction') && request.action !== 'lambda:DeleteFunction');
    const statements = roleFor(CANARY);
    for (const prefix of ['lambda:CreateAlias', 'cloudwatch:PutMetricAlarm', 'codedeploy:CreateApplication', 'codedeploy:CreateDeploymentGroup']) {
      const request = requests.find((r) => r.action === prefix);
      assert.ok(request && !allows(statements, request), `${prefix} refused in beta`);
    }
  });

  it('another deployment type is refused: the role reads only the configured deployment config', () => {
    const statements = roleFor(CANARY);
    const read = (config: string) => allows(statements, { action: 'codedeploy:GetDeploymentConfig', resource: `arn:aws:codedeploy:us-east-1:123456789012:deploymentconfig:${config}` });
    assert.equal(read('CodeDeployDefault.LambdaCanary10Percent10Minutes'), true);
    assert.equal(read('CodeDeployDefault.LambdaAllAtOnce'), false);
  });

  it('the CodeDeploy role is passed to CodeDeploy only', () => {
    const statements = roleFor(CANARY);
    const pass = (service: string) => allows(statements, { action: 'iam:PassRole', resource: pipelineRoleArn('CodeDeployRole'), context: { 'iam:PassedToService': service } });
    assert.equal(pass('codedeploy.amazonaws.com'), true);
    assert.equal(pass('lambda.amazonaws.com'), false);
  });
});

// ---- exact scoping: each statement's Resource names the stacks' own resources, written out by hand ----------------

const P = 'arn:${AWS::Partition}:';
const R = '${AWS::Region}';
const A = '${AWS::AccountId}';
const s = (text: string) => ({ 'Fn::Sub': text });
const ROLE_ARN = 'arn:aws:iam::123456789012:role/shop-lambda';
const LAYER_ARN = 'arn:aws:lambda:us-east-1:123456789012:layer:shared:7';
const EVERYTHING: ChaliceAppFacts = {
  ...NEW_APP, features: FEATURES, stackRoles: true, roleArns: [ROLE_ARN], layerArns: [LAYER_ARN],
  restDomains: [{ name: 'api.example.com', edge: true }], websocketDomains: ['ws.example.com'],
};
const SCOPE = {
  appName: 'shop',
  stacks: [
    { stackName: 'shop-beta', generatedPrefix: 'shop-bet-', chaliceStage: 'beta' },
    { stackName: 'shop-prod', generatedPrefix: 'shop-pro-', chaliceStage: 'prod', trafficShifting: { deploymentType: 'Linear10PercentEvery1Minute', codeDeployRole: { Ref: 'CodeDeployRoleArn' } } },
  ],
};

describe('every statement names exactly the stacks\' own resources', () => {
  const bothStacks = (service: string, resource: (prefix: string) => string, region = R) =>
    ['shop-bet-', 'shop-pro-'].map((prefix) => s(`${P}${service}:${region}:${A}:${resource(prefix)}`));
  const apigateway = (path: string) => s(`${P}apigateway:${R}::${path}`);

  it('an every-feature role with a shifted prod stack: each statement\'s Resource, by hand', () => {
    const role = deployRole(SCOPE, EVERYTHING);
    const resources = Object.fromEntries(role.statements.map((statement) => [statement.Sid, statement.Resource]));
    const functions = bothStacks('lambda', (prefix) => `function:${prefix}*`);
    const roles = bothStacks('iam', (prefix) => `role/${prefix}*`, '');
    const layer = (stage: string) => [s(`${P}lambda:${R}:${A}:layer:shop-${stage}-managed-layer`), s(`${P}lambda:${R}:${A}:layer:shop-${stage}-managed-layer:*`)];
    const domains = (name: string) => [apigateway('/domainnames'), apigateway(`/domainnames/${name}`), apigateway(`/domainnames/${name}/*`)];
    assert.deepEqual(resources, {
      ExpandServerlessTransform: [s(`${P}cloudformation:${R}:aws:transform/Serverless-2016-10-31`)],
      ManageAppFunctions: functions,
      ReadPackagedCode: [s('${ApplicationBucket.Arn}/*')],
      ManageAppRoles: roles,
      PassAppRolesToLambda: roles,
      ManageApis: ['/restapis', '/restapis/*', '/apis', '/apis/*', '/tags/*'].map(apigateway),
      ManageAppRules: bothStacks('events', (prefix) => `rule/${prefix}*`),
      ManageAppEventSources: ['*'],
      TagAppEventSources: [s(`${P}lambda:${R}:${A}:event-source-mapping:*`)],
      SubscribeAppFunctions: [s(`${P}sns:${R}:${A}:*`)],
      ManageAppSubscriptions: ['*'],
      ManageAppLogGroups: bothStacks('logs', (prefix) => `log-group:/aws/lambda/${prefix}*`),
      FindAppLogGroups: [s(`${P}logs:${R}:${A}:log-group:*`)],
      ManageManagedLayer: [...layer('beta'), ...layer('prod')],
      PassTeamRolesToLambda: { Ref: TEAM_ROLES_PARAMETER },
      UseTeamLayers: { Ref: TEAM_LAYERS_PARAMETER },
      ManageRestDomains: domains('api.example.com'),
      SetUpEdgeDomains: ['*'],
      ManageWebSocketDomains: domains('ws.example.com'),
      ReadVpcSettings: ['*'],
      ManageProdAliasesAndVersions: [s(`${P}lambda:${R}:${A}:function:shop-pro-*`)],
      ManageProdAlarms: [s(`${P}cloudwatch:${R}:${A}:alarm:shop-prod-*`)],
      ManageProdDeploymentApplication: [s(`${P}codedeploy:${R}:${A}:application:shop-pro-*`)],
      ManageProdDeploymentGroups: [s(`${P}codedeploy:${R}:${A}:deploymentgroup:shop-pro-*/*`)],
      ReadProdDeploymentConfig: [s(`${P}codedeploy:${R}:${A}:deploymentconfig:CodeDeployDefault.LambdaLinear10PercentEvery1Minute`)],
      PassCodeDeployRole: [{ Ref: 'CodeDeployRoleArn' }],
    });
  });

  it('the ARNs resolve to the stack\'s resources and no one else\'s (another app\'s function, role, rule, log group, layer)', () => {
    const statements = roleFor({ appName: 'shop' }, EVERYTHING);
    const fn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
    const can = (action: string, resource: string) => allows(statements, { action, resource });
    assert.equal(can('lambda:UpdateFunctionCode', fn('shopBetaStack-APIHandler-1A2B')), true);
    assert.equal(can('lambda:UpdateFunctionCode', fn('billingBetaStack-APIHandler-1A2B')), false);
    assert.equal(can('iam:DeleteRole', 'arn:aws:iam::123456789012:role/shopProdStack-DefaultRole-1A2B'), true);
    assert.equal(can('iam:DeleteRole', 'arn:aws:iam::123456789012:role/admin'), false);
    assert.equal(can('events:DeleteRule', 'arn:aws:events:us-east-1:123456789012:rule/shopBetaStack-Every5-1A2B'), true);
    assert.equal(can('events:DeleteRule', 'arn:aws:events:us-east-1:123456789012:rule/billing-nightly'), false);
    assert.equal(can('logs:DeleteLogGroup', 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/shopBetaStack-APIHandler-1A2B:*'), true);
    assert.equal(can('logs:DeleteLogGroup', 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/billing:*'), false);
    assert.equal(can('lambda:DeleteLayerVersion', 'arn:aws:lambda:us-east-1:123456789012:layer:shop-prod-managed-layer:3'), true);
    assert.equal(can('lambda:DeleteLayerVersion', 'arn:aws:lambda:us-east-1:123456789012:layer:billing-prod-managed-layer:3'), false);
    assert.equal(can('lambda:GetLayerVersion', LAYER_ARN), true);
    assert.equal(can('lambda:GetLayerVersion', 'arn:aws:lambda:us-east-1:123456789012:layer:shared:8'), false);
    assert.equal(can('s3:GetObject', 'arn:aws:s3:::app-bucket-1a2b3c4d/shop/beta.zip'), true);
    assert.equal(can('s3:GetObject', 'arn:aws:s3:::other-bucket/shop/beta.zip'), false);
  });
});

describe('what the role says about itself: parameters, grants, exceptions, coverage', () => {
  const role = deployRole(SCOPE, EVERYTHING);

  it('the team\'s ARNs are list parameters whose pattern takes ARNs of any partition and nothing else', () => {
    assert.deepEqual(Object.keys(role.parameters), [TEAM_ROLES_PARAMETER, TEAM_LAYERS_PARAMETER]);
    const roles = role.parameters[TEAM_ROLES_PARAMETER]!;
    const layers = role.parameters[TEAM_LAYERS_PARAMETER]!;
    assert.equal(roles.Type, 'CommaDelimitedList');
    assert.equal(roles.Default, ROLE_ARN);
    assert.equal(layers.Default, LAYER_ARN);
    assert.match(String(roles.Description), /iam_role_arn/);
    assert.match(String(layers.Description), /layers in \.chalice\/config\.json/);
    const pattern = new RegExp(String(roles.AllowedPattern));
    assert.equal(layers.AllowedPattern, roles.AllowedPattern);
    for (const good of [ROLE_ARN, LAYER_ARN, 'arn:aws-us-gov:iam::123456789012:role/path/a_b.c+d=e,f@g-h', 'arn:aws-cn:lambda:cn-north-1:123456789012:layer:x:1', 'arn:aws:s3:::bucket9']) {
      assert.ok(pattern.test(good), `takes ${good}`);
    }
    for (const bad of ['role/shop-lambda', ` ${ROLE_ARN}`, `${ROLE_ARN} `, 'arn:AWS:iam::123456789012:role/x', 'arn:aws:IAM::123456789012:role/x',
      'arn:aws:iam:US-EAST-1:123456789012:role/x', 'arn:aws:iam::12345678901a:role/x', 'arn:aws:iam::123456789012:', 'arn:aws:iam::123456789012:role/a b', 'arn::iam::1:role/x', 'arn:aws::::x']) {
      assert.equal(pattern.test(bad), false, `refuses ${bad}`);
    }
    const many = deployRole(SCOPE, { ...EVERYTHING, roleArns: [ROLE_ARN, `${ROLE_ARN}2`] }).parameters[TEAM_ROLES_PARAMETER]!;
    assert.equal(many.Default, `${ROLE_ARN},${ROLE_ARN}2`);
  });

  it('each feature\'s grant lists its statements and says in words what they allow', () => {
    const byFeature = Object.fromEntries(role.grants.map((grant) => [grant.feature, grant]));
    assert.deepEqual(Object.keys(byFeature).sort(), [...FEATURES].sort());
    const words: Record<string, RegExp> = {
      'pure-function': /^Lambda functions named STACK-\*.*packaged code/, routes: /^API Gateway REST and WebSocket APIs/, schedule: /^EventBridge rules named STACK-\*/,
      sqs: /^event source mappings .*lambda:FunctionArn/, sns: /^subscriptions of the app functions/, 'log-retention': /^log groups \/aws\/lambda\/STACK-\*/,
      'managed-layer': /APP-STAGE-managed-layer/, 'precreated-role': new RegExp(`iam_role_arn roles to Lambda \\(parameter ${TEAM_ROLES_PARAMETER}\\)`),
      'team-layers': new RegExp(`layer versions \\(parameter ${TEAM_LAYERS_PARAMETER}\\)`), 'rest-domain': /^the custom domain names api\.example\.com and their base path mappings$/,
      'websocket-domain': /^the custom domain names ws\.example\.com and their API mappings$/, vpc: /^reading subnets, security groups/,
    };
    for (const [feature, pattern] of Object.entries(words)) assert.match(byFeature[feature]!.grants, pattern, feature);
    const sidsOf = (feature: string) => byFeature[feature]!.statements;
    assert.deepEqual(sidsOf('pure-function'), ['ExpandServerlessTransform', 'ManageAppFunctions', 'ReadPackagedCode']);
    assert.deepEqual(sidsOf('sqs'), ['ManageAppEventSources', 'TagAppEventSources']);
    assert.deepEqual(sidsOf('rest-domain'), ['ManageRestDomains']);
    assert.deepEqual(sidsOf('websocket-domain'), ['ManageWebSocketDomains']);
    for (const grant of role.grants) assert.ok(grant.grants.length > 20 && grant.statements.length > 0, grant.feature);
  });

  it('each exception names its statement and rule and gives the reason AWS leaves nothing to scope by', () => {
    const reasons = Object.fromEntries(role.exceptions.map((e) => [e.statement, e.reason]));
    const expected: Record<string, RegExp> = {
      ManageAppEventSources: /mapping IDs are random.*lambda:FunctionArn/, TagAppEventSources: /carries no lambda:FunctionArn/,
      SubscribeAppFunctions: /sns:Endpoint and sns:Protocol/, ManageAppSubscriptions: /no resource type/,
      FindAppLogGroups: /logs:DescribeLogGroups takes only log-group:\*/, SetUpEdgeDomains: /cloudfront:UpdateDistribution on \*/,
      ReadVpcSettings: /EC2 Describe actions support no resource-level permissions/,
    };
    assert.deepEqual(Object.keys(reasons).sort(), Object.keys(expected).sort());
    for (const [sid, pattern] of Object.entries(expected)) assert.match(reasons[sid]!, pattern, sid);
    for (const exception of role.exceptions) assert.equal(exception.rule, 'IAM_RESOURCES_SCOPED (W11)');
  });

  it('a new app\'s coverage leaves out what the app must configure first; the exceptions go into Metadata for reviewers and cfn_nag', () => {
    const newApp = deployRole({ ...SCOPE, stacks: [SCOPE.stacks[0]!] }, NEW_APP);
    const configured = new Set<ChaliceFeatureId>(CHALICE_FEATURES.filter((feature) => feature.needsAppValues).map((feature) => feature.id));
    assert.deepEqual(newApp.coverage.features, FEATURES.filter((id) => !configured.has(id)));
    assert.deepEqual(role.coverage.features, FEATURES);
    const exceptions = [{ statement: 'A', rule: 'R1', reason: 'why A' }, { statement: 'B', rule: 'R2', reason: 'why B' }];
    assert.deepEqual(exceptionsMetadata(exceptions), {
      SecurityRuleExceptions: [{ Rule: 'R1', Statement: 'A', Reason: 'why A' }, { Rule: 'R2', Statement: 'B', Reason: 'why B' }],
      // The statements are listed in SecurityRuleExceptions: the suppression only points there (pipeline.json's size).
      cfn_nag: { rules_to_suppress: [{ id: 'W11', reason: 'see SecurityRuleExceptions' }] },
    });
  });

  it('traffic shifting covers its resource types in the shifted stage only; the grants of the stacks name it', () => {
    assert.deepEqual(role.coverage.resourceTypes, []);
    assert.deepEqual(role.coverage.stageResourceTypes, {
      prod: ['AWS::CloudWatch::Alarm', 'AWS::Lambda::Version', 'AWS::Lambda::Alias', 'AWS::CodeDeploy::Application', 'AWS::CodeDeploy::DeploymentGroup'],
    });
    const twoShifted = deployRole({ ...SCOPE, stacks: SCOPE.stacks.map((stack) => ({ ...stack, trafficShifting: SCOPE.stacks[1]!.trafficShifting })) }, NEW_APP);
    assert.deepEqual(Object.keys(twoShifted.coverage.stageResourceTypes), ['beta', 'prod']);
    assert.equal(twoShifted.coverage.stageResourceTypes.beta!.length, 5);
    assert.deepEqual(deployRole({ ...SCOPE, stacks: [SCOPE.stacks[0]!] }, NEW_APP).coverage.stageResourceTypes, {});
  });
});
