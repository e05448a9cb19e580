// Reading what a Chalice app uses (lib/repository/chalice-app.ts) and what the run does with it: the features it
// reports, the role tailored to the config, and @app.on_s3_event refused before anything is written.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readChaliceApp } from '../lib/repository/chalice-app.js';
import { FEATURE_APPS } from './support/chalice-package.js';
import { runCliInProcess, tempDir } from './support/tools.js';

/** readChaliceApp over files given as path -> contents. */
function read(files: Record<string, string>, stages = ['beta', 'prod']) {
  const list = (folder: string) => [...new Set(Object.keys(files).filter((path) => path.startsWith(`${folder}/`)).map((path) => path.slice(folder.length + 1).split('/')[0]))];
  return readChaliceApp((path) => files[path], list, stages);
}

const config = (value: unknown) => JSON.stringify(value);

describe('reading a Chalice app', () => {
  it('finds decorators on the app and on blueprints in chalicelib, not in comments', () => {
    const app = read({
      '.chalice/config.json': config({ app_name: 'shop', stages: { beta: {}, prod: {} } }),
      'app.py': "from chalice import Chalice\napp = Chalice(app_name='shop')\n\n@app.route('/')\ndef index():\n    return {}\n# @app.on_sns_message(topic='old')\n",
      'chalicelib/__init__.py': '',
      'chalicelib/jobs/queue.py': "from chalice import Blueprint\nbp = Blueprint(__name__)\n\n@bp.on_sqs_message(queue='jobs')\ndef job(event):\n    pass\n\n@bp.schedule('rate(1 hour)')\ndef tick(event):\n    pass\n",
    });
    assert.deepEqual(app.features, ['routes', 'schedule', 'sqs']);
    assert.deepEqual(app.s3Events, []);
  });

  it('reads the deployed stages only, with Chalice\'s lookup order (function in stage, stage, function, top level)', () => {
    const app = read({
      '.chalice/config.json': config({
        app_name: 'shop',
        layers: ['arn:aws:lambda:us-east-1:123456789012:layer:top:1'],
        lambda_functions: { worker: { manage_iam_role: false, iam_role_arn: 'arn:aws:iam::123456789012:role/worker' } },
        stages: {
          dev: { subnet_ids: ['subnet-1'], security_group_ids: ['sg-1'], api_gateway_custom_domain: { domain_name: 'dev.example.com' } },
          beta: { api_gateway_custom_domain: { domain_name: 'beta.example.com' }, api_gateway_endpoint_type: 'REGIONAL', log_retention_in_days: 7 },
          prod: {
            api_gateway_custom_domain: { domain_name: 'api.example.com' },
            websocket_api_custom_domain: { domain_name: 'ws.example.com' },
            lambda_functions: { api_handler: { layers: ['arn:aws:lambda:us-east-1:123456789012:layer:prod-only:3'] } },
          },
        },
      }),
      'app.py': "@app.route('/')\ndef index():\n    return {}\n",
    });
    assert.deepEqual(app.features, ['routes', 'log-retention', 'rest-domain', 'websocket-domain', 'team-layers', 'precreated-role']);
    assert.deepEqual(app.restDomains, [{ name: 'beta.example.com', edge: false }, { name: 'api.example.com', edge: true }]);
    assert.deepEqual(app.websocketDomains, ['ws.example.com']);
    assert.deepEqual(app.roleArns, ['arn:aws:iam::123456789012:role/worker']);
    assert.equal(app.stackRoles, true, 'functions other than worker keep Chalice-managed roles');
    assert.deepEqual(app.layerArns, ['arn:aws:lambda:us-east-1:123456789012:layer:top:1', 'arn:aws:lambda:us-east-1:123456789012:layer:prod-only:3']);
  });

  it('knows when no function gets a stack role (manage_iam_role false at the top)', () => {
    const app = read({ '.chalice/config.json': config({ app_name: 'shop', manage_iam_role: false, iam_role_arn: 'arn:aws:iam::123456789012:role/r', stages: { beta: {} } }) }, ['beta']);
    assert.equal(app.stackRoles, false);
    assert.deepEqual(app.roleArns, ['arn:aws:iam::123456789012:role/r']);
  });

  it('finds every feature of its fixture app', () => {
    for (const feature of readdirSync(FEATURE_APPS).filter((name) => name !== 's3-event')) {
      const root = join(FEATURE_APPS, feature);
      const app = readChaliceApp((path) => (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined), (folder) => (existsSync(join(root, folder)) ? readdirSync(join(root, folder)) : []), ['beta', 'prod']);
      assert.ok((app.features as string[]).includes(feature), `${feature}: found ${app.features.join(', ')}`);
    }
  });
});

describe('the run with an app', () => {
  it('refuses @app.on_s3_event before writing anything (exit 2), naming the line and what to use instead', async () => {
    const root = tempDir('cp-s3-event-');
    cpSync(join(FEATURE_APPS, 's3-event'), root, { recursive: true });
    const before = readdirSync(root).sort();
    const run = await runCliInProcess(['pipeline', '--defaults', '--skip-install', '--skip-git'], root);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /app\.py:\d+: @app\.on_s3_event cannot be packaged by `chalice package`/);
    assert.match(run.stderr, /@app\.on_cw_event\(\{'source': \['aws\.s3'\]/);
    assert.match(run.stderr, /--force/);
    assert.deepEqual(readdirSync(root).sort(), before, 'nothing written');
    const forced = await runCliInProcess(['pipeline', '--defaults', '--skip-install', '--skip-git', '--force'], root);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, /warning: app\.py:\d+: @app\.on_s3_event cannot be packaged/);
  });

  it('lists the features found and what the role grants for each, in --dry-run too', async () => {
    const root = tempDir('cp-vpc-app-');
    cpSync(join(FEATURE_APPS, 'vpc'), root, { recursive: true });
    const run = await runCliInProcess(['pipeline', '--defaults', '--skip-install', '--skip-git', '--dry-run'], root);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Chalice features found: REST API routes, VPC settings/);
    assert.match(run.stdout, /  VPC settings: reading subnets, security groups, VPCs and network interfaces/);
    assert.match(run.stdout, /  REST API routes: API Gateway REST and WebSocket APIs/);
  });
});
