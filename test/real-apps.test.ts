// Apps shaped like public Chalice apps the generator did not write, adopted by the pipeline sub-generator and then
// built by the real Chalice for the stages the pipeline adds: a policy file when autogen_policy is false (a copy of
// the team's, or exit 2 naming the file when there is none), and the environment variables the stages share.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chalicePackage, pythonEnv } from './support/chalice.js';
import { readTree, runCliInProcess, tempDir, writeTree } from './support/tools.js';

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
