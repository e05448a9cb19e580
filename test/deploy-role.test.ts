// The deploy role against the real thing: one small app per Chalice feature, packaged with the real Chalice for beta
// and prod, expanded by the SAM translator as CloudFormation does, and every call the resource handlers make on
// create, update and delete (support/handler-permissions.ts) evaluated against the generated CFNDeployRole.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { CHALICE_FEATURES, type ChaliceFeatureId } from '../lib/facts/chalice-features.js';
import { FEATURE_APPS, featureStackRequests, packageApps, type FeaturePackage } from './support/chalice-package.js';
import { DeployedStack, HANDLER_PERMISSIONS, type HandlerRequest } from './support/handler-requests.js';
import { allows, roleStatements, type IamStatement } from './support/iam-policy.js';
import { pythonEnv } from './support/chalice.js';
import { newRepositoryFiles, runCliInProcess, tempDir, templateFor } from './support/tools.js';
import type { CfnTemplate } from './support/security-rules.js';

const FEATURES = CHALICE_FEATURES.map((feature) => feature.id);
const STACKS = { beta: 'shopBetaStack', prod: 'shopProdStack' } as const;

let packaged: Map<string, FeaturePackage>;

before(() => {
  packaged = packageApps(FEATURES.map((feature) => join(FEATURE_APPS, feature)));
});

/** The calls CloudFormation makes for one feature app in both stacks. */
const handlerRequests = (feature: ChaliceFeatureId): HandlerRequest[] => featureStackRequests(packaged, feature, STACKS);

const denied = (statements: IamStatement[], requests: HandlerRequest[]) =>
  requests.filter((request) => !allows(statements, request)).map((r) => `${r.resourceId}: ${r.action} on ${r.resource}${r.context ? ` ${JSON.stringify(r.context)}` : ''}`);

const newAppRole = () => roleStatements(templateFor({ appName: 'shop' }) as unknown as CfnTemplate, 'CFNDeployRole');

describe('the fixtures', () => {
  it('has one app per Chalice feature of the table (and the unpackageable @app.on_s3_event)', () => {
    assert.deepEqual(readdirSync(FEATURE_APPS).sort(), [...FEATURES, 's3-event'].sort());
  });

  it('records the handler permissions of every resource type the packaged feature apps hold', () => {
    const types = new Set(FEATURES.flatMap((feature) => Object.values(packaged.get(`${join(FEATURE_APPS, feature)}@beta`)!.transformed?.Resources ?? {}).map((r) => r.Type)));
    assert.deepEqual([...types].filter((type) => !(type in HANDLER_PERMISSIONS.types)), []);
  });
});

describe("the role of a new app (every feature whose resources the app stacks name)", () => {
  const needAppValues = new Set<ChaliceFeatureId>(CHALICE_FEATURES.filter((feature) => feature.needsAppValues).map((feature) => feature.id));
  for (const feature of FEATURES.filter((id) => !needAppValues.has(id))) {
    it(`deploys ${feature} in beta and prod: every create, update and delete call is allowed`, () => {
      assert.deepEqual(denied(newAppRole(), handlerRequests(feature)), []);
    });
  }
  // What only the app's config names (its roles, layers, domains, VPC) is granted when the app is read (see the
  // sub-generator's role below); a new app's role must not carry wildcards for them.
  for (const feature of needAppValues) {
    it(`does not deploy ${feature} until the app configures it (the Build stage names it)`, () => {
      assert.notDeepEqual(denied(newAppRole(), handlerRequests(feature)), []);
    });
  }
});

/** What the sub-generator writes into a copy of each feature app: the role, and the Build stage's check with its coverage. */
const subGenerated = new Map<ChaliceFeatureId, Map<string, string>>();
const GENERATED = ['pipeline.json', 'scripts/check_deploy_role.py', 'scripts/deploy-role-coverage.json'];
const CHECK_FILES = [...GENERATED.slice(1), 'scripts/deploy-role-extra.json'];

before(async () => {
  for (const feature of FEATURES) {
    const root = tempDir('cp-feature-app-');
    cpSync(join(FEATURE_APPS, feature), root, { recursive: true });
    const run = await runCliInProcess(['pipeline', '--defaults', '--skip-install', '--skip-git'], root);
    assert.equal(run.status, 0, `${feature}: ${run.stderr}`);
    subGenerated.set(feature, new Map(GENERATED.map((path) => [path, readFileSync(join(root, path), 'utf8')])));
    rmSync(root, { recursive: true, force: true });
  }
});

describe('the role the sub-generator writes into each feature app (tailored to its config and decorators)', () => {
  const written = new Map<ChaliceFeatureId, IamStatement[]>();
  before(() => {
    for (const [feature, files] of subGenerated) written.set(feature, roleStatements(JSON.parse(files.get('pipeline.json')!) as CfnTemplate, 'CFNDeployRole'));
  });

  for (const feature of FEATURES) {
    it(`deploys ${feature} in beta and prod`, () => {
      assert.deepEqual(denied(written.get(feature)!, handlerRequests(feature)), []);
    });
  }

  it('passes exactly the pre-created role, and manages no roles when Chalice manages none', () => {
    const statements = written.get('precreated-role')!;
    assert.deepEqual(statements.find((s) => s.Sid === 'PassTeamRolesToLambda')?.Resource, ['arn:aws:iam::123456789012:role/shop-lambda']);
    assert.equal(statements.find((s) => s.Sid === 'ManageAppRoles'), undefined);
    assert.equal(allows(statements, { action: 'iam:PassRole', resource: 'arn:aws:iam::123456789012:role/admin', context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }), false);
  });

  it("reads exactly the team's layer versions", () => {
    const layers = written.get('team-layers')!.find((s) => s.Sid === 'UseTeamLayers')?.Resource;
    assert.deepEqual(layers, [
      'arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:7', 'arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:4',
    ]);
  });
});

describe('the deploy role target-account.json creates in another account (the same test, for its stage)', () => {
  // prod in another account: the role there deploys shopProdStack; the pipeline account is a deploy-time parameter.
  const targetRole = () => {
    const template = JSON.parse(newRepositoryFiles({ appName: 'shop', prodAccountId: '222222222222' }).get('target-account.json')!) as CfnTemplate;
    template.Parameters!.PipelineAccountId.Default = '111111111111';
    return roleStatements(template, 'DeployRole');
  };
  const needAppValues = new Set<ChaliceFeatureId>(CHALICE_FEATURES.filter((feature) => feature.needsAppValues).map((feature) => feature.id));
  for (const feature of FEATURES.filter((id) => !needAppValues.has(id))) {
    it(`deploys ${feature} in prod: every create, update and delete call is allowed`, () => {
      // The packaged code is in a bucket of the pipeline account: S3 gives the request that account as s3:ResourceAccount.
      const requests = handlerRequests(feature).filter((request) => request.resourceId.startsWith('prod: '))
        .map((request) => (request.action.startsWith('s3:GetObject') ? { ...request, context: { ...request.context, 's3:ResourceAccount': '111111111111' } } : request));
      assert.deepEqual(denied(targetRole(), requests), []);
    });
  }
});

/** Runs the generated Build-stage check (from a repository's files) on a packaged template. */
function runCheck(files: Map<string, string>, template: unknown, stage = 'beta') {
  const root = tempDir('cp-check-');
  mkdirSync(join(root, 'scripts'));
  mkdirSync(join(root, 'build', stage), { recursive: true });
  for (const path of CHECK_FILES.filter((name) => files.has(name))) writeFileSync(join(root, path), files.get(path)!);
  writeFileSync(join(root, 'build', stage, 'sam.json'), JSON.stringify(template));
  const run = spawnSync('python3', ['scripts/check_deploy_role.py', `build/${stage}/sam.json`], { cwd: root, encoding: 'utf8', env: pythonEnv() });
  rmSync(root, { recursive: true, force: true });
  return { status: run.status, stderr: run.stderr };
}

describe("the Build stage's check (scripts/check_deploy_role.py) over every feature app's packaged template", () => {
  const newApp = newRepositoryFiles({ appName: 'shop' });
  const sam = (feature: ChaliceFeatureId) => packaged.get(`${join(FEATURE_APPS, feature)}@beta`)!.packaged;

  for (const feature of CHALICE_FEATURES) {
    if (feature.needsAppValues) {
      it(`with a new app's role: fails on ${feature.id} with one line naming the feature, the resource and the fix`, () => {
        const run = runCheck(newApp, sam(feature.id));
        assert.equal(run.status, 1);
        const lines = run.stderr.trim().split('\n');
        assert.equal(lines.length, 1, run.stderr);
        assert.ok(lines[0].startsWith(`deploy role cannot deploy ${feature.title} (${feature.source}): `), lines[0]);
        assert.match(lines[0], /: \w+ \(AWS::[\w:]+\).* in build\/beta\/sam\.json; fix: re-run `npx -p generator-chalice-pipeline chalice-pipeline pipeline`/);
      });
    } else {
      it(`with a new app's role: passes ${feature.id}`, () => {
        const run = runCheck(newApp, sam(feature.id));
        assert.equal(run.status, 0, run.stderr);
      });
    }
    it(`with the role the sub-generator writes into the ${feature.id} app: passes`, () => {
      const run = runCheck(subGenerated.get(feature.id)!, sam(feature.id));
      assert.equal(run.status, 0, run.stderr);
    });
  }

  it('fails on a resource no Chalice feature creates (a --merge-template addition)', () => {
    const template = structuredClone(sam('routes')!) as { Resources: Record<string, unknown> };
    template.Resources.OrdersTable = { Type: 'AWS::DynamoDB::Table', Properties: {} };
    const run = runCheck(newApp, template);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^deploy role cannot deploy no Chalice feature it knows: OrdersTable \(AWS::DynamoDB::Table\)/);
    // The team's own scripts/deploy-role-extra.json says what the managed policy it attached covers.
    const widened = new Map([...newApp, ['scripts/deploy-role-extra.json', JSON.stringify({ resourceTypes: ['AWS::DynamoDB::Table'], features: ['vpc'] })]]);
    assert.equal(runCheck(widened, template).status, 0);
    assert.equal(runCheck(widened, sam('vpc')).status, 0);
  });

  it("covers traffic shifting's resource types in the prod stack only, where the role deploys them", () => {
    const canary = newRepositoryFiles({ appName: 'shop', prodDeployment: 'Canary10Percent5Minutes' });
    const template = structuredClone(sam('routes')!) as { Resources: Record<string, unknown> };
    template.Resources.APIHandlerDeploymentGroup = { Type: 'AWS::CodeDeploy::DeploymentGroup', Properties: {} };
    assert.equal(runCheck(canary, template, 'prod').status, 0);
    const beta = runCheck(canary, template, 'beta');
    assert.equal(beta.status, 1);
    assert.match(beta.stderr, /APIHandlerDeploymentGroup \(AWS::CodeDeploy::DeploymentGroup\).* in build\/beta\/sam\.json/);
  });
});

describe('the check can fail', () => {
  it('a role with one statement removed is caught, naming the call it no longer allows', () => {
    const statements = newAppRole();
    for (const sid of ['ManageAppEventSources', 'ManageApis', 'PassAppRolesToLambda', 'ManageManagedLayer', 'FindAppLogGroups']) {
      const without = statements.filter((statement) => statement.Sid !== sid);
      const feature: ChaliceFeatureId = { ManageAppEventSources: 'sqs', ManageApis: 'websocket', PassAppRolesToLambda: 'routes', ManageManagedLayer: 'managed-layer', FindAppLogGroups: 'log-retention' }[sid] as ChaliceFeatureId;
      const problems = denied(without, handlerRequests(feature));
      assert.notDeepEqual(problems, [], `${sid} removed, yet ${feature} still deploys`);
    }
  });

  it('a resource of a type it has no handler permissions for fails the check instead of passing silently', () => {
    const template = { Resources: { Cluster: { Type: 'AWS::RDS::DBCluster', Properties: {} } } };
    assert.throws(() => new DeployedStack(template, STACKS.beta).requests(), /no handler permissions recorded for AWS::RDS::DBCluster/);
  });
});
