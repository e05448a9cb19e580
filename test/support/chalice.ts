// The real Chalice (1.33, installed by .ci/run) for the tests: the Python environment its commands run in,
// `chalice package` (once per app and stage in a test process) and `chalice local` as a server.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, startServer, type Server } from './processes.js';
import { tempDir, writeTree } from './tools.js';

export const CHALICE_VERSION = '1.33';

interface PythonTools {
  /** A folder with `python` and `python3` (the interpreter that has Chalice), first on PATH. */
  bin: string;
  /** The interpreter's scripts folder (chalice, pytest, aws), second on PATH. */
  scripts: string;
}

let tools: PythonTools | undefined;

/**
 * Fails (never skips) unless python3 imports the real Chalice 1.33 and its `chalice` command exists. Returns the
 * folders to put first on PATH: the interpreter itself as `python` (what a CodeBuild image's runtime-versions gives)
 * and its scripts, called directly rather than through version-manager shims (~1.5 s each on this machine).
 */
export function requireChalice(): PythonTools {
  if (tools) return tools;
  const probe = spawnSync('python3', ['-c', 'import sys, sysconfig, chalice, chalice.test; print(chalice.__version__, sys.executable, sysconfig.get_path("scripts"))'], { encoding: 'utf8' });
  const [version, executable, scripts] = probe.stdout.trim().split(' ');
  if (probe.status !== 0 || !version?.startsWith(`${CHALICE_VERSION}.`)) {
    throw new Error(
      `the real Chalice ${CHALICE_VERSION} is required by the test suite (python3 reports ${probe.status === 0 ? `chalice ${version}` : probe.stderr.trim().split('\n').at(-1)}): ` +
      'run .ci/run, or `pip install chalice` (machines without a package index: ../shared/tools/install-chalice)',
    );
  }
  const chalice = spawnSync(join(scripts!, 'chalice'), ['--version'], { encoding: 'utf8' });
  if (chalice.status !== 0) throw new Error(`chalice is importable but ${join(scripts!, 'chalice')} does not run: ${chalice.stderr}`);
  const bin = removedOnExit(tempDir('cp-python-bin-'));
  for (const name of ['python', 'python3']) symlinkSync(executable!, join(bin, name));
  tools = { bin, scripts: scripts! };
  return tools;
}

/** A folder this test process shares between its tests (cached), removed when the process exits. */
function removedOnExit(folder: string): string {
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/** Variables a developer's shell may hold that would change what the generated code or the AWS tools do. */
const LEAKING = /^(CODEBUILD_.*|ENDPOINT_URL|EXPECTED_STAGE|STAGE|PYTEST_ADDOPTS|PYTHONPATH|VIRTUAL_ENV|AWS_.*)$/;

/**
 * The environment of a Python command: nothing inherited that the generated code, pytest or the AWS tools would read,
 * no pytest plugins of this machine (a generated repository installs none), a region and dummy credentials (Chalice
 * and botocore need them; no configured profile or credentials file is ever read).
 */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { bin, scripts } = requireChalice();
  const inherited = Object.entries(process.env).filter(([name]) => !LEAKING.test(name));
  return {
    ...Object.fromEntries(inherited),
    PATH: [bin, scripts, process.env.PATH].join(':'),
    PYTHONDONTWRITEBYTECODE: '1',
    PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1',
    PIP_NO_INDEX: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** A copy of a repository's files in a new temporary folder (the caller removes it). */
export function repositoryCopy(files: Map<string, string>, prefix = 'cp-repo-'): string {
  const root = tempDir(prefix);
  writeTree(root, files);
  return root;
}

export interface Packaged {
  /** The folder `chalice package` wrote (sam.json, deployment.zip, and layer zips). */
  dir: string;
  /** sam.json as parsed JSON. */
  template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>; [key: string]: unknown };
}

/** `chalice package --stage <stage> <out>` in a repository folder; rejects with Chalice's output when it fails. */
export async function chalicePackage(repo: string, stage: string, out = join(repo, 'build', stage)): Promise<Packaged> {
  const run = await runCommand('chalice', ['package', '--stage', stage, out], { cwd: repo, env: pythonEnv(), timeoutMs: 120_000 });
  if (run.status !== 0) throw new Error(`chalice package --stage ${stage} failed in ${repo} (exit ${run.status}):\n${run.output}`);
  return { dir: out, template: JSON.parse(readFileSync(join(out, 'sam.json'), 'utf8')) as Packaged['template'] };
}

const packagedOnce = new Map<string, Promise<Packaged>>();

/**
 * `chalice package` of an app given as files, at most once per test process for the same files and stage (the
 * result folder is shared: read it, do not change it). What it costs (~1-2 s) is paid once per answer set.
 */
export function chalicePackageOnce(files: Map<string, string>, stage: string): Promise<Packaged> {
  const digest = createHash('sha256');
  for (const [path, contents] of [...files].sort(([a], [b]) => a.localeCompare(b))) digest.update(`${path}\0${contents}\0`);
  const key = `${digest.digest('hex')}:${stage}`;
  let packaged = packagedOnce.get(key);
  if (!packaged) {
    const root = removedOnExit(repositoryCopy(files, 'cp-package-'));
    mkdirSync(join(root, 'build'), { recursive: true });
    packaged = chalicePackage(root, stage);
    packagedOnce.set(key, packaged);
  }
  return packaged;
}

/**
 * `chalice local --stage <stage>` of a repository on a free loopback port: the stage's environment variables apply
 * as in the deployed function. Without autoreload, so the server is one process that stop() ends.
 */
export async function startChaliceLocal(repo: string, stage: string): Promise<Server> {
  // chalice local prints the port it was given, so pick a free one; a rare race on it is retried once.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const server = await startServer('chalice', ['local', '--no-autoreload', '--host', '127.0.0.1', '--port', String(port), '--stage', stage], {
        cwd: repo, env: pythonEnv(), name: `chalice local --stage ${stage} in ${repo}`, ready: /Serving on (http:\/\/127\.0\.0\.1:\d+)/,
        timeoutMs: 20_000,
      });
      await waitUntilAnswering(server);
      return server;
    } catch (error) {
      if (attempt >= 2 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}

/** chalice local prints its address just before it listens: wait for the socket to accept. */
async function waitUntilAnswering(server: Server): Promise<void> {
  for (let tries = 0; tries < 50; tries++) {
    try {
      await fetch(server.address, { method: 'HEAD' });
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  throw new Error(`${server.address} does not answer:\n${server.output()}`);
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
