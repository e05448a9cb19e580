// The generated Python tests run with pytest against a stand-in for Chalice (test/fixtures/fake-chalice; Chalice
// itself is not installable here): the unit tests pass against the generated app and fail against a mutated one,
// and the integration tests do the same over real HTTP, finding the endpoint the ways the pipeline and a user do.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { planFiles } from '../lib/repository/plan.js';
import { PACKAGE_ROOT, newRepositoryFiles, projectFor, requireTool, tempDir, writeTree } from './support/tools.js';

const FAKE_CHALICE = join(PACKAGE_ROOT, 'test', 'fixtures', 'fake-chalice');
const SERVE = join(FAKE_CHALICE, 'serve.py');

/** An app of an existing repository (the user's own routes, no /health), and a copy whose index raises. */
const USER_APP = `from chalice import Chalice

app = Chalice(app_name='orders')


@app.route('/')
def index():
    return {'orders': []}
`;
const BROKEN_USER_APP = USER_APP.replace("return {'orders': []}", "raise RuntimeError('boom')");

/**
 * The environment of a Python run: nothing inherited that the generated conftest or app reads, and no pytest plugins
 * of this machine (a generated repository installs none; pytest-benchmark alone costs ~0.7 s a run).
 */
function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !/^(CODEBUILD_.*|ENDPOINT_URL|EXPECTED_STAGE|STAGE|PYTEST_ADDOPTS|PYTHONPATH)$/.test(name),
  );
  return { ...Object.fromEntries(inherited), PYTHONPATH: FAKE_CHALICE, PYTHONDONTWRITEBYTECODE: '1', PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1', ...extra };
}

interface PytestRun {
  status: number | null;
  output: string;
  /** pytest's last line without the timing, e.g. "1 failed, 2 passed". */
  summary: string;
}

function pytest(cwd: string, args: string[], env: Record<string, string> = {}): Promise<PytestRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...args], {
      cwd, env: pythonEnv(env), stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000,
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      const last = output.trim().split('\n').at(-1) ?? '';
      resolve({ status, output, summary: last.replace(/^=+ | in [\d.]+s.*$/g, '').trim() });
    });
  });
}

/** pytest's exit code and summary line, with its output when they differ. */
function assertOutcome(run: PytestRun, status: number, summary: string): void {
  assert.equal(run.status, status, run.output);
  assert.equal(run.summary, summary, run.output);
}

const servers: ChildProcess[] = [];

/** serve.py for an app.py; resolves with the endpoint URL it prints first (shaped like a Chalice EndpointURL). */
function serve(appPy: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [SERVE, appPy], { env: pythonEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    servers.push(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`serve.py ${appPy} printed no URL within 5 s: ${stderr}`)), 5_000);
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(stdout.slice(0, newline).trim());
      }
    });
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve.py ${appPy} exited (${code}): ${stderr}`)); });
  });
}

describe('generated Python tests against a stand-in Chalice', () => {
  const folders: string[] = [];
  const folder = (files: Map<string, string>) => {
    const root = tempDir('cp-python-');
    folders.push(root);
    writeTree(root, files);
    return root;
  };
  const files = newRepositoryFiles({});
  let repo = '';
  let mutatedRepo = '';
  let existingRepo = '';
  const url = { app: '', mutated: '', user: '', brokenUser: '' };

  before(async () => {
    requireTool('python3');
    const probe = spawnSync('python3', ['-c', 'import pytest'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      throw new Error(`pytest is required by the test suite but python3 cannot import it (${probe.stderr.trim()}); install it: python3 -m pip install pytest`);
    }
    repo = folder(files);
    // The app with both routes' answers changed: each test of them must notice.
    let mutatedApp = files.get('app.py')!;
    for (const [from, to] of [["'hello': 'world'", "'hello': 'there'"], ["'status': 'ok'", "'status': 'degraded'"]]) {
      assert.ok(mutatedApp.includes(from), `the generated app.py no longer contains ${from}: update the mutation`);
      mutatedApp = mutatedApp.replace(from, to);
    }
    mutatedRepo = folder(new Map(files).set('app.py', mutatedApp));
    // An existing repository: the user's app and requirements stay, the pipeline files (smoke test flavour) are added.
    const existing = new Map([['app.py', USER_APP], ['requirements.txt', 'chalice\n']]);
    const plan = planFiles(projectFor({}), (path) => existing.get(path), { newApp: false });
    assert.equal(plan.files.find((file) => file.path === 'app.py'), undefined, 'an existing app.py is not planned');
    existingRepo = folder(new Map([...existing, ...plan.files.map((file) => [file.path, file.contents] as [string, string])]));
    const brokenUser = folder(new Map([['app.py', BROKEN_USER_APP]]));
    [url.app, url.mutated, url.user, url.brokenUser] = await Promise.all([
      serve(join(repo, 'app.py'), { STAGE: 'beta' }),
      serve(join(mutatedRepo, 'app.py'), { STAGE: 'beta' }),
      serve(join(existingRepo, 'app.py'), { STAGE: 'beta' }),
      serve(join(brokenUser, 'app.py'), { STAGE: 'beta' }),
    ]);
  });

  after(() => {
    for (const server of servers) {
      server.removeAllListeners('exit');
      server.kill();
    }
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

  describe('integration tests (tests/integration over HTTP)', () => {
    const integration = (cwd: string, env: Record<string, string>) => pytest(cwd, ['tests/integration'], env);

    it('pass against the served app with ENDPOINT_URL (make integration-test)', async () => {
      const run = await integration(repo, { ENDPOINT_URL: url.app, EXPECTED_STAGE: 'beta' });
      assertOutcome(run, 0, '2 passed');
    });

    /** What CodeBuild gives the integration build: the buildspec, and its environment with the unpacked beta outputs. */
    function codeBuild() {
      const unpacked = tempDir('cp-artifact-');
      folders.push(unpacked);
      const artifact = join(unpacked, 'AppDeploymentValues');
      writeTree(artifact, { 'StackOutputs.json': JSON.stringify({ EndpointURL: url.app }) });
      const buildspec = YAML.parse(files.get('buildspec-integration.yml')!) as { env: { variables: Record<string, string> }; phases: { build: { commands: string[] } } };
      const env = { ...buildspec.env.variables, CODEBUILD_BUILD_ID: 'ordersIntegrationTests:1', CODEBUILD_SRC_DIR_AppDeploymentValues: artifact };
      return { buildspec, env };
    }

    it('pass in CodeBuild, reading EndpointURL from the AppDeploymentValues artifact with the buildspec variables', async () => {
      const run = await integration(repo, codeBuild().env);
      assertOutcome(run, 0, '2 passed');
    });

    it('pass when the build phase of buildspec-integration.yml runs as CodeBuild runs it (one shell, in order)', async () => {
      const { buildspec, env } = codeBuild();
      // CodeBuild's python is the image's; here python3 stands in for it.
      const script = buildspec.phases.build.commands.map((command) => command.replace(/\bpython\b/g, 'python3')).join('\n');
      const run = spawnSync('sh', ['-e', '-c', script], {
        cwd: repo, encoding: 'utf8', timeout: 30_000,
        env: pythonEnv(env),
      });
      assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
      assert.match(run.stdout, /2 passed/);
      assert.ok(existsSync(join(repo, 'reports', 'integration-tests.xml')), 'the JUnit report the buildspec publishes');
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
});
