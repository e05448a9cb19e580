// Apps shaped like public Chalice apps the generator did not write, adopted by the pipeline sub-generator and then
// built by the real Chalice for the stages the pipeline adds: a policy file when autogen_policy is false (a copy of
// the team's, or exit 2 naming the file when there is none), the environment variables the stages share, and app
// names Chalice can deploy that AWS names cannot carry (shop_orders), refused early when Chalice cannot deploy them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import helpers from 'yeoman-test';
import { APP_NAME_PATTERN, awsAppName, chaliceAppNameRule } from '../lib/answers/rules.js';
import { chalicePackage, pythonEnv } from './support/chalice.js';
import { packageApps } from './support/chalice-package.js';
import { DeployedStack } from './support/handler-requests.js';
import { allows, roleStatements } from './support/iam-policy.js';
import type { CfnTemplate } from './support/security-rules.js';
import { LONGEST_APP_NAME, PACKAGE_ROOT, readTree, runCliInProcess, tempDir, writeTree } from './support/tools.js';

const PIPELINE_GENERATOR = join(PACKAGE_ROOT, 'dist', 'generators', 'pipeline', 'index.js');

const APP_PY = `import os
from chalice import Chalice

app = Chalice(app_name='orders')


@app.route('/')
def index():
    return {'table': os.environ.get('TABLE_NAME'), 'region': os.environ.get('QUEUE_URL')}
`;
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: ['arn:aws:dynamodb:*:*:table/orders'] }] }, null, 2);

/** An existing app (config as given, app.py above, maybe policy files), adopted with --defaults. */
async function adopt(config: unknown, extra: Record<string, string> = {}) {
  const root = tempDir('cp-real-app-');
  writeTree(root, { 'app.py': APP_PY, 'requirements.txt': '', '.chalice/config.json': `${JSON.stringify(config, null, 2)}\n`, ...extra });
  const before = readTree(root);
  const run = await runCliInProcess(['pipeline', '--defaults', '--skip-install', '--skip-git'], root);
  return { root, run, before, config: () => JSON.parse(readFileSync(join(root, '.chalice', 'config.json'), 'utf8')) as { stages: Record<string, Record<string, unknown>> } };
}

/** The role policy Chalice packaged for the stage's API handler (what autogen_policy false makes it read). */
async function packagedPolicy(root: string, stage: string): Promise<unknown> {
  const { template } = await chalicePackage(root, stage);
  const role = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::IAM::Role')!;
  return ((role.Properties!.Policies as { PolicyDocument: unknown }[])[0]!).PolicyDocument;
}

describe('autogen_policy false: the new stages get the policy file chalice package reads', () => {
  it('top level, with the default policy-<stage>.json: beta and prod get copies of policy-dev.json, named in the output, and package', async () => {
    const { root, run } = await adopt({ version: '2.0', app_name: 'orders', autogen_policy: false, stages: { dev: { api_gateway_stage: 'api' } } }, { '.chalice/policy-dev.json': POLICY });
    assert.equal(run.status, 0, run.stderr);
    for (const stage of ['beta', 'prod']) {
      assert.equal(readFileSync(join(root, '.chalice', `policy-${stage}.json`), 'utf8'), POLICY);
      assert.match(run.stdout, new RegExp(`\\.chalice/policy-${stage}\\.json added as a copy of \\.chalice/policy-dev\\.json`));
    }
    assert.deepEqual(await packagedPolicy(root, 'beta'), JSON.parse(POLICY));
  });

  it('per stage, with iam_policy_file: the new stages take both settings and read the same file (nothing copied)', async () => {
    const stage = { api_gateway_stage: 'api', autogen_policy: false, iam_policy_file: 'team-policy.json' };
    const { root, run, config } = await adopt({ version: '2.0', app_name: 'orders', stages: { dev: stage, staging: stage } }, { '.chalice/team-policy.json': POLICY });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(config().stages.prod!.autogen_policy, false);
    assert.equal(config().stages.prod!.iam_policy_file, 'team-policy.json');
    assert.ok(!existsSync(join(root, '.chalice', 'policy-prod.json')));
    assert.deepEqual(await packagedPolicy(root, 'prod'), JSON.parse(POLICY));
  });

  it('no policy file to copy: exit 2 naming the files to create, nothing written', async () => {
    const { root, run, before } = await adopt({ version: '2.0', app_name: 'orders', autogen_policy: false, stages: { dev: { api_gateway_stage: 'api' } } });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /"autogen_policy": false.*create \.chalice\/policy-beta\.json \(stage beta\), \.chalice\/policy-prod\.json \(stage prod\)/);
    assert.deepEqual(readTree(root), before);
  });

  it('autogen_policy left on: no policy file is added (the Build stage generates it as today)', async () => {
    const { root, run } = await adopt({ version: '2.0', app_name: 'orders', stages: { dev: { api_gateway_stage: 'api' } } });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(!existsSync(join(root, '.chalice', 'policy-beta.json')));
  });
});

describe('environment variables of the existing stages', () => {
  it('the shared ones go to the new stages, the differing ones are named with the file to fill in; the real Chalice serves them', async () => {
    const { root, run, config } = await adopt({
      version: '2.0', app_name: 'orders',
      stages: {
        dev: { api_gateway_stage: 'api', environment_variables: { TABLE_NAME: 'orders', QUEUE_URL: 'https://sqs/dev' } },
        staging: { api_gateway_stage: 'api', environment_variables: { TABLE_NAME: 'orders', QUEUE_URL: 'https://sqs/staging' } },
      },
    });
    assert.equal(run.status, 0, run.stderr);
    for (const stage of ['beta', 'prod']) assert.deepEqual(config().stages[stage]!.environment_variables, { TABLE_NAME: 'orders', STAGE: stage });
    assert.match(run.stdout, /beta, prod in \.chalice\/config\.json take the environment variables every existing stage sets alike: TABLE_NAME/);
    assert.match(run.stdout, /warning: environment variable QUEUE_URL differs between the existing stages \(dev: "https:\/\/sqs\/dev", staging: "https:\/\/sqs\/staging"\): set it in \.chalice\/config\.json under stages\.beta and stages\.prod\.environment_variables/);
    // Chalice's own test client applies the stage's variables as the deployed function gets them.
    const script = "import json\nfrom chalice.test import Client\nfrom app import app\nwith Client(app, stage_name='beta') as client:\n    print(json.dumps(client.http.get('/').json_body))\n";
    const served = spawnSync('python3', ['-c', script], { cwd: root, encoding: 'utf8', env: pythonEnv() });
    assert.equal(served.status, 0, served.stderr);
    assert.deepEqual(JSON.parse(served.stdout), { table: 'orders', region: null });
  });

  it('a re-run changes nothing (the stages exist now)', async () => {
    const { root, run } = await adopt({ version: '2.0', app_name: 'orders', stages: { dev: { environment_variables: { TABLE_NAME: 'orders' } } } });
    assert.equal(run.status, 0, run.stderr);
    const first = readTree(root);
    const again = await runCliInProcess(['pipeline', '--defaults', '--skip-install', '--skip-git'], root);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(readTree(root), first);
  });
});

describe('app names: every app_name Chalice can deploy adopts the pipeline, under AWS names derived from it', () => {
  const appOf = (name: string, config: Record<string, unknown> = {}) => ({
    'app.py': `from chalice import Chalice\n\napp = Chalice(app_name=${JSON.stringify(name)})\n\n\n@app.route('/')\ndef index():\n    return {}\n`,
    'requirements.txt': '',
    '.chalice/config.json': `${JSON.stringify({ version: '2.0', app_name: name, ...config, stages: { dev: { api_gateway_stage: 'api' } } }, null, 2)}\n`,
  });

  it('keeps every name valid before as it is (no new names after an upgrade)', () => {
    for (const name of ['shop', 'a', 'A-b-9', 'orders-v2', LONGEST_APP_NAME]) assert.equal(awsAppName(name), name);
  });

  it('derives a valid, deterministic AWS name for the names Chalice can deploy, at their limits', () => {
    const cases: [string, string][] = [
      ['shop_orders', 'shop-orders'], ['_', 'app'], ['1', 'app-1'], ['x_', 'x'], ['-orders', 'app-orders'], ['_private_api', 'app-private-api'],
    ];
    for (const [name, expected] of cases) assert.equal(awsAppName(name), expected, name);
    for (const name of ['a_'.repeat(30), `9${'_b'.repeat(29)}_`, '_'.repeat(60), 'Z'.repeat(59) + '_']) {
      assert.equal(chaliceAppNameRule(name), undefined, `${name}: Chalice can deploy it`);
      const derived = awsAppName(name);
      assert.match(derived, new RegExp(APP_NAME_PATTERN), name);
      assert.equal(awsAppName(name), derived, 'the same name on every run');
    }
    assert.notEqual(awsAppName(`${'_'.repeat(58)}ab`), awsAppName(`${'_'.repeat(58)}ac`), 'cut names stay apart');
  });

  it('shop_orders (with the managed layer): adopts the pipeline, app_name and app.py untouched; the real Chalice packages it and the deploy role allows every handler call', async () => {
    const root = tempDir('cp-app-name-');
    // A vendored package: what Chalice puts in the managed layer.
    const files = { ...appOf('shop_orders', { automatic_layer: true }), 'vendor/helpers/__init__.py': 'VALUE = 1\n' };
    writeTree(root, files);
    const run = await runCliInProcess(['pipeline', '--defaults', '--skip-install', '--skip-git'], root);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(readFileSync(join(root, 'app.py'), 'utf8'), files['app.py']);
    assert.equal((JSON.parse(readFileSync(join(root, '.chalice', 'config.json'), 'utf8')) as { app_name: string }).app_name, 'shop_orders');
    const pipeline = JSON.parse(readFileSync(join(root, 'pipeline.json'), 'utf8')) as CfnTemplate;
    assert.equal(pipeline.Parameters!.ApplicationName!.Default, 'shop-orders');
    assert.match(readFileSync(join(root, 'Makefile'), 'utf8'), /^APP_NAME \?= shop-orders$/m);
    const packaged = packageApps([root], ['beta']).get(`${root}@beta`)!;
    assert.ok(packaged.transformed, packaged.error);
    const layer = Object.values(packaged.transformed.Resources).find((resource) => resource.Type === 'AWS::Lambda::LayerVersion');
    assert.equal((layer?.Properties as { LayerName?: string } | undefined)?.LayerName, 'shop_orders-beta-managed-layer', 'Chalice names the layer after app_name');
    const requests = new DeployedStack(packaged.transformed, 'shop-ordersBetaStack').requests();
    const denied = requests.filter((request) => !allows(roleStatements(pipeline, 'CFNDeployRole'), request)).map((r) => `${r.resourceId}: ${r.action} on ${r.resource}`);
    assert.deepEqual(denied, []);
  });

  it('an app_name Chalice cannot deploy: exit 2 naming config.json and the rule, nothing written', async () => {
    for (const name of ['my orders', 'a'.repeat(61), 'orders.v2']) {
      const root = tempDir('cp-app-name-bad-');
      writeTree(root, appOf(name));
      const before = readTree(root);
      const run = await runCliInProcess(['pipeline', '--defaults', '--skip-install', '--skip-git'], root);
      assert.equal(run.status, 2, name);
      assert.match(run.stderr, /\.chalice\/config\.json: app_name .* is invalid: must contain only letters, digits, "-" and "_" and be at most 60 characters/);
      assert.deepEqual(readTree(root), before);
    }
  });

  it('under Yeoman the bad app_name is refused before any question; a good one is asked about as usual', async () => {
    const bad = tempDir('cp-app-name-yo-');
    writeTree(bad, appOf('my orders'));
    const refused = helpers.run(PIPELINE_GENERATOR).cd(bad).withAnswers({}).withOptions({ 'skip-git': true, skipInstall: true } as never);
    await assert.rejects(refused, /app_name "my orders" is invalid/);
    assert.deepEqual(Object.keys(refused.askedQuestions), []);
    const good = tempDir('cp-app-name-yo-');
    writeTree(good, appOf('shop_orders'));
    const accepted = helpers.run(PIPELINE_GENERATOR).cd(good).withAnswers({}).withOptions({ 'skip-git': true, skipInstall: true } as never);
    await accepted;
    assert.ok(Object.keys(accepted.askedQuestions).length > 0);
    assert.equal((JSON.parse(readFileSync(join(good, 'pipeline.json'), 'utf8')) as CfnTemplate).Parameters!.ApplicationName!.Default, 'shop-orders');
  });
});
