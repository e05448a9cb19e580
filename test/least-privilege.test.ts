// The least-privilege promises of the deploy role and the release, each checked against hand-written values (no
// golden file, no model of the product's): every statement whose Resource cannot name the app's resources keeps its
// condition, by name; passed roles go to one service only; the exceptions are exactly the statements that need one;
// Prod rolls back on failure. Fast: templates as data; `npm run mutate` runs it against lib/cloudformation/deploy-role.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHALICE_FEATURES, NEW_APP } from '../lib/facts/chalice-features.js';
import { deployRole } from '../lib/cloudformation/deploy-role.js';
import type { PartialAnswers } from '../lib/answers/settings.js';
import { asList, objectAt, type CfnTemplate } from './support/security-rules.js';
import { newRepositoryFiles, templateFor } from './support/tools.js';

interface RawStatement {
  Sid?: unknown;
  Resource?: unknown;
  Condition?: unknown;
}

const PREFIX = 'arn:${AWS::Partition}:';
const functions = (...stacks: string[]) => stacks.map((stack) => ({ 'Fn::Sub': `${PREFIX}lambda:\${AWS::Region}:\${AWS::AccountId}:function:${stack}-*` }));
const passedTo = (service: string) => ({ StringEquals: { 'iam:PassedToService': service } });

/** The condition each conditioned statement must carry, for the app stacks whose names start with these prefixes. */
function expectedConditions(stacks: string[]): Record<string, unknown> {
  return {
    ManageAppEventSources: { ArnLike: { 'lambda:FunctionArn': functions(...stacks) } },
    SubscribeAppFunctions: { StringEquals: { 'sns:Protocol': 'lambda' }, StringLike: { 'sns:Endpoint': functions(...stacks) } },
    PassAppRolesToLambda: passedTo('lambda.amazonaws.com'),
    PassTeamRolesToLambda: passedTo('lambda.amazonaws.com'),
    PassCodeDeployRole: passedTo('codedeploy.amazonaws.com'),
  };
}

/**
 * Statements that may name no app resource and carry no condition: AWS gives them nothing to scope by (random IDs,
 * actions on no resource type, read-only Describe calls) or the resource is AWS's own (an edge domain's distribution).
 */
const UNCONDITIONED = ['ManageApis', 'TagAppEventSources', 'ManageAppSubscriptions', 'FindAppLogGroups', 'SetUpEdgeDomains', 'ReadVpcSettings', 'ManageRestDomains', 'ManageWebSocketDomains'];

const text = (resource: unknown): string => (typeof resource === 'string' ? resource : String(objectAt(resource)['Fn::Sub'] ?? JSON.stringify(resource)));

/**
 * A resource that names nothing of the app: `*`, or an ARN of this account ending in a bare wildcard
 * (`log-group:*`, `event-source-mapping:*`, `sns:...:*`), or an API Gateway collection (`/restapis`, `/apis/*`).
 */
function namesNothing(resource: unknown): boolean {
  const value = text(resource);
  if (value === '*') return true;
  const rest = value.replace(/^arn:\$\{AWS::Partition\}:[a-z0-9-]+:(\$\{AWS::Region\})?:(\$\{AWS::AccountId\})?:?/, '');
  return /^(\*|[a-z-]+[:/]\*|\/[a-z]+(\/\*)?)$/.test(rest);
}

const statementsOf = (template: CfnTemplate, roleId: string): RawStatement[] =>
  asList(objectAt(template.Resources[roleId]?.Properties).Policies).flatMap((policy) => asList(objectAt(objectAt(policy).PolicyDocument).Statement)).map(objectAt);

/** Every statement by name: unscoped ones keep their conditions, the others carry exactly the expected one (or none). */
function assertConditions(statements: RawStatement[], stacks: string[], where: string): void {
  const expected = expectedConditions(stacks);
  const sids = statements.map((statement) => String(statement.Sid));
  assert.equal(new Set(sids).size, sids.length, `${where}: statement names are unique: ${sids.join(', ')}`);
  for (const statement of statements) {
    const sid = String(statement.Sid);
    const unscoped = asList(statement.Resource).some(namesNothing) || text(statement.Resource) === '*';
    if (unscoped) assert.ok(sid in expected || UNCONDITIONED.includes(sid), `${where}: ${sid} names no app resource and is not a known exception`);
    if (sid in expected) assert.deepEqual(statement.Condition, expected[sid], `${where}: the condition of ${sid}`);
    else if (sid !== 'ReadPackagedCode') assert.equal(statement.Condition, undefined, `${where}: ${sid} carries an unexpected condition`);
  }
}

describe('the deploy role: statements that cannot name the app\'s resources keep their conditions', () => {
  const ALL_FEATURES = {
    features: CHALICE_FEATURES.map((feature) => feature.id), stackRoles: true,
    roleArns: ['arn:aws:iam::123456789012:role/shop-lambda'], layerArns: ['arn:aws:lambda:us-east-1:123456789012:layer:shared:7'],
    restDomains: [{ name: 'api.example.com', edge: true }], websocketDomains: ['ws.example.com'], s3Events: [],
  };
  const SCOPE = {
    appName: 'shop',
    stacks: [
      { stackName: 'shop-beta', generatedPrefix: 'shop-beta-', chaliceStage: 'beta' },
      {
        stackName: 'shop-prod', generatedPrefix: 'shop-prod-', chaliceStage: 'prod',
        trafficShifting: { deploymentType: 'Canary10Percent5Minutes', codeDeployRole: { 'Fn::GetAtt': ['CodeDeployRole', 'Arn'] } },
      },
    ],
  };

  it('a role for every feature (roles, layers, edge and WebSocket domains, VPC, traffic shifting): each statement by name', () => {
    const role = deployRole(SCOPE, ALL_FEATURES);
    const sids = role.statements.map((statement) => statement.Sid);
    for (const sid of [...Object.keys(expectedConditions([])), ...UNCONDITIONED]) assert.ok(sids.includes(sid), `${sid} is in the role`);
    assertConditions(role.statements as RawStatement[], ['shop-beta', 'shop-prod'], 'every feature');
    assert.deepEqual(role.statements.find((s) => s.Sid === 'PassTeamRolesToLambda')?.Resource, { Ref: 'AppFunctionRoleArns' });
  });

  it('the exceptions are exactly the unscoped statements AWS gives nothing to scope by, each with its reason', () => {
    const { exceptions } = deployRole(SCOPE, ALL_FEATURES);
    assert.deepEqual(exceptions.map((e) => e.statement).sort(), [
      'FindAppLogGroups', 'ManageAppEventSources', 'ManageAppSubscriptions', 'ReadVpcSettings', 'SetUpEdgeDomains', 'SubscribeAppFunctions', 'TagAppEventSources',
    ]);
    for (const exception of exceptions) {
      assert.equal(exception.rule, 'IAM_RESOURCES_SCOPED (W11)');
      assert.ok(exception.reason.length > 40, `${exception.statement} says why`);
    }
    assert.match(exceptions.find((e) => e.statement === 'ManageAppEventSources')!.reason, /lambda:FunctionArn/);
  });

  it('a new app\'s role grants nothing the app does not configure: no team roles, layers, domains, VPC or CodeDeploy', () => {
    const role = deployRole({ appName: 'shop', stacks: [SCOPE.stacks[0]!] }, NEW_APP);
    const sids = role.statements.map((statement) => statement.Sid);
    for (const sid of ['PassTeamRolesToLambda', 'UseTeamLayers', 'ManageRestDomains', 'ManageWebSocketDomains', 'SetUpEdgeDomains', 'ReadVpcSettings', 'PassCodeDeployRole']) {
      assert.ok(!sids.includes(sid), `${sid} granted to a new app`);
    }
    assertConditions(role.statements as RawStatement[], ['shop-beta'], 'a new app');
    assert.deepEqual(role.parameters, {});
  });

  it('what the role covers, for the Build stage\'s check: every feature, and traffic shifting\'s resource types in prod only', () => {
    const { coverage, parameters } = deployRole(SCOPE, ALL_FEATURES);
    assert.deepEqual(coverage, {
      features: [
        'routes', 'authorizer', 'schedule', 'cw-event', 'sqs', 'sns', 'kinesis', 'dynamodb', 'pure-function', 'websocket', 'private-api', 'xray',
        'reserved-concurrency', 'log-retention', 'managed-layer', 'rest-domain', 'websocket-domain', 'vpc', 'team-layers', 'precreated-role',
      ],
      stackRoles: true, roleArns: ALL_FEATURES.roleArns, layerArns: ALL_FEATURES.layerArns, restDomains: ALL_FEATURES.restDomains,
      websocketDomains: ALL_FEATURES.websocketDomains, resourceTypes: [],
      stageResourceTypes: { prod: ['AWS::CloudWatch::Alarm', 'AWS::Lambda::Version', 'AWS::Lambda::Alias', 'AWS::CodeDeploy::Application', 'AWS::CodeDeploy::DeploymentGroup'] },
    });
    const pattern = '^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:[A-Za-z0-9:/_.+=,@-]+$';
    assert.deepEqual(parameters, {
      AppFunctionRoleArns: { Type: 'CommaDelimitedList', Default: ALL_FEATURES.roleArns.join(','), AllowedPattern: pattern, Description: parameters.AppFunctionRoleArns?.Description },
      AppLayerArns: { Type: 'CommaDelimitedList', Default: ALL_FEATURES.layerArns.join(','), AllowedPattern: pattern, Description: parameters.AppLayerArns?.Description },
    });
    assert.match(String(parameters.AppFunctionRoleArns?.Description), /iam_role_arn/);
    assert.match(String(parameters.AppLayerArns?.Description), /layers/);
  });

  it('an app whose functions all have pre-created roles: the role manages and passes no stack roles', () => {
    const role = deployRole({ appName: 'shop', stacks: [SCOPE.stacks[0]!] }, { ...NEW_APP, stackRoles: false });
    assert.deepEqual(role.statements.map((statement) => statement.Sid), [
      'ExpandServerlessTransform', 'ManageAppFunctions', 'ReadPackagedCode', 'ManageApis', 'ManageAppRules', 'ManageAppEventSources', 'TagAppEventSources',
      'SubscribeAppFunctions', 'ManageAppSubscriptions', 'ManageAppLogGroups', 'FindAppLogGroups', 'ManageManagedLayer',
    ]);
    assert.deepEqual(role.coverage.stageResourceTypes, {});
  });

  const CASES: [string, PartialAnswers, string[]][] = [
    ['the default answers', {}, ['${ApplicationName}BetaStack', '${ApplicationName}ProdStack']],
    ['no production stage', { production: false }, ['${ApplicationName}BetaStack']],
    ['prod shifting traffic', { prodDeployment: 'Linear10PercentEvery1Minute' }, ['${ApplicationName}BetaStack', '${ApplicationName}ProdStack']],
    ['prod in another account (the pipeline account deploys beta)', { prodAccountId: '222222222222' }, ['${ApplicationName}BetaStack']],
  ];
  for (const [name, answers, stacks] of CASES) {
    it(`pipeline.json's CFNDeployRole, ${name}: each statement by name`, () => {
      assertConditions(statementsOf(templateFor({ region: 'us-east-1', ...answers }) as unknown as CfnTemplate, 'CFNDeployRole'), stacks, name);
    });
  }

  it('target-account.json\'s DeployRole (prod in another account): each statement by name; the packages only from the pipeline account', () => {
    const template = JSON.parse(newRepositoryFiles({ region: 'us-east-1', prodAccountId: '222222222222' }).get('target-account.json')!) as CfnTemplate;
    const statements = statementsOf(template, 'DeployRole');
    assertConditions(statements, ['${ApplicationName}ProdStack'], 'target account');
    assert.deepEqual(statements.find((s) => s.Sid === 'ReadPackagedCode')?.Condition, { StringEquals: { 's3:ResourceAccount': { 'Fn::Sub': '${PipelineAccountId}' } } });
  });
});

describe('Prod rolls back on failure', () => {
  const stageOf = (answers: PartialAnswers, name: string) =>
    asList(objectAt(templateFor({ region: 'us-east-1', ...answers }).Resources.AppPipeline?.Properties).Stages).map(objectAt).find((stage) => stage.Name === name);

  for (const [name, answers] of [
    ['the default answers', {}], ['traffic shifting', { prodDeployment: 'Canary10Percent5Minutes' }], ['prod in another account', { prodAccountId: '222222222222' }],
    ['prod in another region', { prodRegion: 'eu-west-1' }], ['no manual approval', { manualApproval: false }],
  ] as [string, PartialAnswers][]) {
    it(`a V2 pipeline, ${name}: the Prod stage's OnFailure is ROLLBACK`, () => {
      assert.deepEqual(stageOf(answers, 'Prod')?.OnFailure, { Result: 'ROLLBACK' });
    });
  }

  it('a V1 pipeline (no stage rollback in V1): no OnFailure; no production: no Prod stage', () => {
    const prod = stageOf({ pipelineType: 'V1' }, 'Prod');
    assert.ok(prod, 'a Prod stage');
    assert.equal(prod.OnFailure, undefined);
    assert.equal(stageOf({ production: false }, 'Prod'), undefined);
  });
});
