// The generated repository under the real Chalice 1.33: its unit tests under chalice.test.Client, its integration
// tests over HTTP against `chalice local`, and both buildspecs run as CodeBuild runs them (the Build stage with
// `chalice package --stage beta|prod` and `aws cloudformation package` uploading to moto's S3 on loopback).
// Each kind of test also runs against a mutated app and must fail there.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { planFiles } from '../lib/repository/plan.js';
import { chalicePackageOnce, pythonEnv, repositoryCopy, requireChalice, startChaliceLocal } from './support/chalice.js';
import { runBuildspec, runPackageBuild, type PackageBuild } from './support/codebuild.js';
import { startS3Server, type S3Server } from './support/moto-s3.js';
import { runCommand, type Server } from './support/processes.js';
import { newRepositoryFiles, projectFor, tempDir, writeTree } from './support/tools.js';

/** An existing repository as `chalice new-project` leaves it, with the user's own route (no /health). */
const USER_APP = `from chalice import Chalice

app = Chalice(app_name='orders')


@app.route('/')
def index():
    return {'orders': []}
`;
const USER_CONFIG = JSON.stringify({ version: '2.0', app_name: 'orders', stages: { dev: { api_gateway_stage: 'api' } } }, null, 2);
const BROKEN_USER_APP = USER_APP.replace("return {'orders': []}", "raise RuntimeError('boom')");

interface PytestRun {
  status: number | null;
  output: string;
  /** pytest's last line without the timing, e.g. "1 failed, 2 passed". */
  summary: string;
}

async function pytest(cwd: string, args: string[], env: Record<string, string> = {}): Promise<PytestRun> {
  const run = await runCommand('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...args], { cwd, env: pythonEnv(env), timeoutMs: 60_000 });
  const last = run.output.trim().split('\n').at(-1) ?? '';
  return { status: run.status, output: run.output, summary: last.replace(/^=+ | in [\d.]+s.*$/g, '').trim() };
}

/** pytest's exit code and summary line, with its output when they differ. */
function assertOutcome(run: PytestRun, status: number, summary: string): void {
  assert.equal(run.status, status, run.output);
  assert.equal(run.summary, summary, run.output);
}

/** The generated app with both routes' answers changed: each test of them must notice. */
function mutatedFiles(files: Map<string, string>): Map<string, string> {
  let app = files.get('app.py')!;
  for (const [from, to] of [["'hello': 'world'", "'hello': 'there'"], ["'status': 'ok'", "'status': 'degraded'"]]) {
    assert.ok(app.includes(from), `the generated app.py no longer contains ${from}: update the mutation`);
    app = app.replace(from, to);
  }
  return new Map(files).set('app.py', app);
}

/** An existing repository: the user's app, config and requirements stay, the pipeline files (smoke test) are added. */
function existingRepositoryFiles(appPy: string): Map<string, string> {
  const existing = new Map([['app.py', appPy], ['.chalice/config.json', USER_CONFIG], ['requirements.txt', '']]);
  const plan = planFiles(projectFor({}), (path) => existing.get(path), { newApp: false });
  assert.equal(plan.files.find((file) => file.path === 'app.py'), undefined, 'an existing app.py is not planned');
  return new Map([...existing, ...plan.files.map((file) => [file.path, file.contents] as [string, string])]);
}

describe('the generated repository under the real Chalice', () => {
  const folders: string[] = [];
  const copy = (files: Map<string, string>) => {
    const root = repositoryCopy(files, 'cp-python-');
    folders.push(root);
    return root;
  };
  const files = newRepositoryFiles({});
  let repo = '';
  let mutatedRepo = '';
  let existingRepo = '';
  const servers: Server[] = [];
  const url = { app: '', mutated: '', user: '', brokenUser: '' };

  before(async () => {
    requireChalice();
    repo = copy(files);
    mutatedRepo = copy(mutatedFiles(files));
    existingRepo = copy(existingRepositoryFiles(USER_APP));
    const brokenUser = copy(existingRepositoryFiles(BROKEN_USER_APP));
    const started = await Promise.allSettled([repo, mutatedRepo, existingRepo, brokenUser].map((root) => startChaliceLocal(root, 'beta')));
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    [url.app, url.mutated, url.user, url.brokenUser] = servers.map((server) => server.address);
  });

  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    for (const root of folders) rmSync(root, { recursive: true, force: true });
  });

  describe('unit tests (tests/test_app.py, chalice.test.Client)', () => {
    it('pass against the generated app', async () => {
      const run = await pytest(repo, ['tests', '--ignore=tests/integration']);
      assertOutcome(run, 0, '3 passed');
    });

    it('fail against a mutated app', async () => {
      const run = await pytest(mutatedRepo, ['tests', '--ignore=tests/integration']);
      assertOutcome(run, 1, '2 failed, 1 passed');
      assert.match(run.output, /FAILED tests\/test_app\.py::test_index_says_hello/);
      assert.match(run.output, /FAILED tests\/test_app\.py::test_health_reports_ok/);
    });
  });

  describe('chalice package of the generated app', () => {
    for (const stage of ['beta', 'prod']) {
      it(`--stage ${stage}: one function serving the REST API, with STAGE=${stage} from .chalice/config.json`, async () => {
        const { template } = await chalicePackageOnce(files, stage);
        const functions = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Serverless::Function');
        assert.deepEqual(functions.map(([id]) => id), ['APIHandler']);
        const properties = functions[0]![1].Properties as { Environment: { Variables: Record<string, string> }; Handler: string };
        assert.deepEqual(properties.Environment.Variables, { STAGE: stage });
        assert.equal(properties.Handler, 'app.app');
        assert.ok(Object.values(template.Resources).some((resource) => resource.Type === 'AWS::Serverless::Api'), 'a REST API');
        assert.ok((template.Outputs as Record<string, unknown>).EndpointURL, 'the EndpointURL output the pipeline reads');
      });
    }
  });

  describe('integration tests (tests/integration over HTTP against chalice local)', () => {
    const integration = (cwd: string, env: Record<string, string>) => pytest(cwd, ['tests/integration'], env);

    it('pass against the served app with ENDPOINT_URL (make integration-test)', async () => {
      const run = await integration(repo, { ENDPOINT_URL: url.app, EXPECTED_STAGE: 'beta' });
      assertOutcome(run, 0, '2 passed');
    });

    /** The AppDeploymentValues artifact of the beta deploy, unpacked as CodeBuild unpacks a secondary input. */
    function betaOutputs(endpoint: string): string {
      const unpacked = tempDir('cp-artifact-');
      folders.push(unpacked);
      writeTree(unpacked, { 'StackOutputs.json': JSON.stringify({ EndpointURL: endpoint }) });
      return unpacked;
    }

    /** The IntegrationTests build (buildspec-integration.yml as CodeBuild runs it) against an endpoint. */
    const integrationBuild = (endpoint: string) => runBuildspec({
      source: copy(files), buildspec: 'buildspec-integration.yml', project: 'ordersIntegrationTests',
      env: { CODEBUILD_SRC_DIR_AppDeploymentValues: betaOutputs(endpoint) },
    });

    it('pass when buildspec-integration.yml runs as CodeBuild runs it, reading EndpointURL from the artifact', async () => {
      const run = await integrationBuild(url.app);
      assert.equal(run.status, 0, run.output);
      assert.match(run.output, /2 passed/);
      assert.deepEqual(run.missingOutputs, [], 'the JUnit report the buildspec publishes');
    });

    it('fail the IntegrationTests build when beta serves the mutated app', async () => {
      const run = await integrationBuild(url.mutated);
      assert.notEqual(run.status, 0, run.output);
      assert.equal(run.failedPhase, 'BUILD', run.output);
      assert.match(run.output, /2 failed/);
    });

    it('fail (not skip) in CodeBuild without an endpoint', async () => {
      const run = await integration(repo, { CODEBUILD_BUILD_ID: 'ordersIntegrationTests:1' });
      assertOutcome(run, 1, '2 errors');
      assert.match(run.output, /no endpoint/);
      assert.doesNotMatch(run.output, /skipped/);
    });

    it('are skipped outside CodeBuild without an endpoint', async () => {
      const run = await integration(repo, {});
      assertOutcome(run, 0, '2 skipped');
    });

    it('fail against the served mutated app', async () => {
      const run = await integration(repo, { ENDPOINT_URL: url.mutated, EXPECTED_STAGE: 'beta' });
      assertOutcome(run, 1, '2 failed');
      assert.match(run.output, /FAILED tests\/integration\/test_endpoint\.py::test_index_says_hello/);
      assert.match(run.output, /FAILED tests\/integration\/test_endpoint\.py::test_health_reports_the_stage/);
    });

    it('fail when the served stage is not the expected one', async () => {
      const run = await integration(repo, { ENDPOINT_URL: url.app, EXPECTED_STAGE: 'prod' });
      assertOutcome(run, 1, '1 failed, 1 passed');
      assert.match(run.output, /FAILED tests\/integration\/test_endpoint\.py::test_health_reports_the_stage/);
    });

    it('of an existing repository (smoke test) pass against the served user app', async () => {
      const run = await integration(existingRepo, { ENDPOINT_URL: url.user, EXPECTED_STAGE: 'beta' });
      assertOutcome(run, 0, '1 passed');
    });

    it('of an existing repository (smoke test) fail against a served app that errors', async () => {
      const run = await integration(existingRepo, { ENDPOINT_URL: url.brokenUser, EXPECTED_STAGE: 'beta' });
      assertOutcome(run, 1, '1 failed');
    });
  });

  describe('the Build stage (buildspec.yml as CodeBuild runs it, S3 on a moto server)', () => {
    let s3: S3Server;
    const builds: PackageBuild[] = [];
    let good: PackageBuild;
    let mutated: PackageBuild;

    before(async () => {
      s3 = await startS3Server();
      [good, mutated] = await Promise.all([runPackageBuild(s3), runPackageBuild(s3, {}, mutatedFiles(files))]);
      builds.push(good, mutated);
    });

    after(async () => {
      for (const build of builds) build.cleanup();
      await s3?.stop();
    });

    it('tests, packages each stage and uploads the code to the ApplicationBucket', async () => {
      assert.equal(good.run.status, 0, good.run.output);
      assert.deepEqual(good.run.missingOutputs, [], 'every artifact and report file the buildspec names');
      assert.match(good.run.output, /3 passed/);
      const keys = await s3.listKeys(good.bucket);
      assert.ok(keys.length > 0, 'the deployment package is in the bucket');
      for (const stage of ['beta', 'prod']) {
        const template = good.templates.get(`transformed-${stage}.yaml`) as { Resources: Record<string, { Type: string; Properties: { CodeUri?: string; Environment?: unknown } }> };
        assert.ok(template, `transformed-${stage}.yaml`);
        const handler = template.Resources.APIHandler!;
        assert.match(String(handler.Properties.CodeUri), new RegExp(`^s3://${good.bucket}/(${keys.join('|')})$`), 'the code points at the uploaded object');
        assert.deepEqual(handler.Properties.Environment, { Variables: { STAGE: stage } });
      }
      const report = readFileSync(join(good.source, 'reports', 'unit-tests.xml'), 'utf8');
      assert.match(report, /<testsuite[^>]* tests="3"/);
    });

    it('stops at the unit tests when they fail: nothing is packaged or uploaded', async () => {
      assert.notEqual(mutated.run.status, 0, mutated.run.output);
      assert.equal(mutated.run.failedPhase, 'PRE_BUILD', mutated.run.output);
      assert.match(mutated.run.output, /2 failed, 1 passed/);
      assert.deepEqual(await s3.listKeys(mutated.bucket), []);
      assert.equal(existsSync(join(mutated.source, 'transformed-beta.yaml')), false);
    });
  });
});
