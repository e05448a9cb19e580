// Shared test support: the answers matrix, generation without a disk, the bin as a user runs it, and the external
// checkers (cfn-lint, python3), which must exist: a missing tool fails the suite with a message, never skips it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finishAnswers, mergeAnswers } from '../../lib/answers/answers.js';
import { planFiles } from '../../lib/repository/plan.js';
import { pipelineTemplate, type PipelineTemplate } from '../../lib/cloudformation/pipeline/template.js';
import { describeProject, type Project } from '../../lib/answers/project.js';
import type { PartialAnswers } from '../../lib/answers/settings.js';
import type { StageAnswer } from '../../lib/answers/stage-list.js';
import { APP_NAME_MAX } from '../../lib/answers/rules.js';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(PACKAGE_ROOT, 'dist', 'bin', 'chalice-pipeline.js');
export const EXAMPLE_ANSWERS = join(PACKAGE_ROOT, 'examples', 'answers.json');
/**
 * An app name as long as this generator accepts (the longest Chalice can deploy, lib/facts/aws.ts): every derived
 * name is tested at this length.
 */
export const LONGEST_APP_NAME = 'acme-fulfilment-orders-reconciliation-service-for-eu-markets'.padEnd(APP_NAME_MAX, 'x').slice(0, APP_NAME_MAX);
export const CONNECTION_ARN = 'arn:aws:codeconnections:us-east-1:123456789012:connection/12345678-abcd-4321-abcd-1234567890ab';

/** Validated project for answers (appName "orders" unless given), as the generator computes it. */
export function projectFor(answers: PartialAnswers = {}): Project {
  const { answers: final } = finishAnswers(mergeAnswers({ flags: { appName: 'orders', ...answers } }, {}));
  return describeProject(final);
}

export function templateFor(answers: PartialAnswers = {}): PipelineTemplate {
  return pipelineTemplate(projectFor(answers));
}

/** Every file of a new repository for these answers, without touching a disk. */
export function newRepositoryFiles(answers: PartialAnswers = {}): Map<string, string> {
  const plan = planFiles(projectFor(answers), () => undefined, { newApp: true });
  return new Map(plan.files.map((file) => [file.path, file.contents]));
}

type Variant = PartialAnswers & { name?: string };

/** Every combination of the answers that change the template (source x type x the optional stages x approval). */
export function answersMatrix(): PartialAnswers[] {
  const sources: PartialAnswers[] = [
    { source: 'codecommit' },
    { source: 'github', repository: 'acme/orders' },
    { source: 'gitlab', repository: 'acme/backend/orders', connectionArn: CONNECTION_ARN },
    { source: 'bitbucket', repository: 'acme/orders' },
  ];
  const matrix: PartialAnswers[] = [];
  // Safe releases ride along instead of multiplying the matrix: production entries take the deployment types in
  // turn, and self-update and a failure e-mail of its own each meet every source, pipeline type and stage set.
  const deployments = ['AllAtOnce', 'Canary10Percent5Minutes', 'Linear10PercentEvery10Minutes'];
  let productionEntries = 0;
  for (const source of sources) {
    for (const pipelineType of ['V1', 'V2']) {
      for (const unitTests of [true, false]) {
        for (const integrationTests of [true, false]) {
          for (const production of [true, false]) {
            const approvals: Variant[] = production
              ? [{ manualApproval: true, approvalEmail: 'team@example.com' }, { manualApproval: true }, { manualApproval: false }]
              : [{}];
            for (const approval of approvals) {
              const releases: PartialAnswers = {
                ...(production ? { prodDeployment: deployments[productionEntries++ % deployments.length] } : {}),
                ...(unitTests !== integrationTests ? { selfUpdate: true } : {}),
                ...(!approval.approvalEmail && integrationTests ? { notificationEmail: 'ops@example.com' } : {}),
              };
              matrix.push({ ...source, pipelineType, unitTests, integrationTests, production, ...approval, ...releases });
            }
          }
        }
      }
    }
  }
  return [...matrix, ...PLACEMENT_MATRIX];
}

export const PROD_ACCOUNT = '222222222222';
export const BETA_ACCOUNT = '333333333333';

/**
 * Stages in other accounts and regions (the pipeline in us-east-1): each mix that changes pipeline.json's shape, and
 * the safe-release answers where they meet a placement (traffic shifting in prod's account or region, self-update).
 */
export const PLACEMENT_MATRIX: PartialAnswers[] = [
  { prodAccountId: PROD_ACCOUNT },
  { prodAccountId: PROD_ACCOUNT, prodDeployment: 'Canary10Percent5Minutes', notificationEmail: 'ops@example.com' },
  { prodRegion: 'eu-west-1' },
  { prodRegion: 'eu-west-1', prodDeployment: 'Linear10PercentEvery2Minutes', selfUpdate: true },
  { betaAccountId: BETA_ACCOUNT, betaRegion: 'eu-central-1', prodAccountId: PROD_ACCOUNT, prodRegion: 'ap-southeast-2' },
  { betaAccountId: BETA_ACCOUNT, betaRegion: 'eu-central-1', prodAccountId: PROD_ACCOUNT, prodRegion: 'ap-southeast-2', prodDeployment: 'Canary10Percent30Minutes', selfUpdate: true },
  { betaAccountId: BETA_ACCOUNT, betaRegion: 'eu-west-1', prodAccountId: PROD_ACCOUNT, prodRegion: 'eu-west-1' },
  { betaRegion: 'us-west-2', prodAccountId: PROD_ACCOUNT },
  { betaAccountId: BETA_ACCOUNT, integrationTests: true, production: false },
  { source: 'github', repository: 'acme/orders', pipelineType: 'V1', unitTests: false, betaAccountId: BETA_ACCOUNT, prodAccountId: BETA_ACCOUNT, prodRegion: 'us-west-2', approvalEmail: 'team@example.com' },
].map((placement) => ({ region: 'us-east-1', ...placement }));

/** The (and the README's) three-stage example, the pipeline in us-east-1. */
/**
 * Stages in other accounts of which only some are reviewed (approveBroadening off: qa has no review, staging and prod
 * their approvals): target-account.json makes its review role only for those (condition ReviewsHere).
 */
export const PARTLY_REVIEWED: PartialAnswers = {
  appName: 'shop', approveBroadening: false,
  stages: [
    { name: 'dev' }, { name: 'qa', account: BETA_ACCOUNT },
    { name: 'staging', account: BETA_ACCOUNT, region: 'eu-west-1', approval: true }, { name: 'prod', account: PROD_ACCOUNT, approval: true },
  ],
};

export const STAGES_EXAMPLE: StageAnswer[] = [
  { name: 'dev' },
  { name: 'staging', account: BETA_ACCOUNT, tests: true },
  {
    name: 'prod', approval: true, deployment: 'Canary10Percent5Minutes',
    targets: [{ account: PROD_ACCOUNT, region: 'eu-west-1' }, { account: PROD_ACCOUNT, region: 'us-east-1' }],
  },
];

/** Runs an assertion per variant and reports every failing variant at once. */
export function forEachVariant<T extends { name: string }>(variants: T[], assertion: (entry: T) => void): void {
  const failures: string[] = [];
  for (const entry of variants) {
    try {
      assertion(entry);
    } catch (error) {
      failures.push(`${entry.name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  assert.deepEqual(failures, [], failures.slice(0, 20).join('\n'));
}

/** A short name of a matrix entry for test titles and file names. */
export function variantName(answers: PartialAnswers): string {
  return Object.entries(answers)
    .filter(([key]) => key !== 'repository' && key !== 'connectionArn')
    .map(([key, value]) => (typeof value === 'boolean' ? `${value ? '' : 'no-'}${key}` : String(value).replace(/[^A-Za-z0-9]+/g, '_')))
    .join('-');
}

export function tempDir(prefix = 'cp-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A generated repository with a stand-in `aws` on PATH for make (and no AWS_PROFILE of the caller's): it logs each
 * call's arguments and prints the reply of the first `case` pattern they match.
 */
export function repositoryWithFakeAws(answers: PartialAnswers, replies: Record<string, string>) {
  const dir = tempDir();
  writeTree(dir, newRepositoryFiles(answers));
  const cases = Object.entries(replies).map(([pattern, reply]) => `${pattern}) echo ${reply} ;;`).join(' ');
  writeTree(dir, { 'bin/aws': `#!/bin/sh\necho "$*" >> "$AWS_LOG"\ncase "$*" in ${cases} esac\n` });
  chmodSync(join(dir, 'bin/aws'), 0o755);
  return (args: string[], account = PROD_ACCOUNT) => {
    const log = join(dir, 'aws.log');
    writeFileSync(log, '');
    const { AWS_PROFILE: _profile, ...env } = process.env;
    const result = spawnSync('make', ['--no-print-directory', ...args], { cwd: dir, encoding: 'utf8', env: { ...env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, AWS_LOG: log, FAKE_ACCOUNT: account } });
    return { ...result, aws: readFileSync(log, 'utf8') };
  };
}

export function writeTree(root: string, files: Record<string, string> | Map<string, string>): void {
  for (const [path, contents] of files instanceof Map ? files : Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), contents);
  }
}

/** Every file below root (relative path -> contents), .git excluded. */
export function readTree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      if (name === '.git') continue;
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return files;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The bin as a user runs it: a fresh node process, stdin closed, a timeout so a prompt can never hang the suite. */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd, encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', ...env },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The bin's code in this process (lib/run/cli.ts) with no terminal: what runCli does, without Node's start-up. */
export async function runCliInProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const { cli } = await import('../../lib/run/cli.js');
  const stdout: string[] = [];
  const stderr: string[] = [];
  const status = await cli(args, {
    cwd, env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', ...env }, interactive: false,
    out: (line) => stdout.push(`${line}\n`), err: (line) => stderr.push(`${line}\n`),
  });
  return { status, stdout: stdout.join(''), stderr: stderr.join('') };
}

/** Fails (does not skip) when a checker the suite relies on is missing. */
export function requireTool(command: string, versionArgs = ['--version']): void {
  const probe = spawnSync(command, versionArgs, { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`${command} is required by the test suite but is not available (${probe.error?.message ?? probe.stderr.trim()}); install it (CI machines have it preinstalled)`);
  }
}

/**
 * cfn-lint over many templates (~2 s start-up, ~0.4 s a template): one process per core, each over its share,
 * informational checks included. Resolves to path -> findings, '' where the template is clean.
 */
export async function cfnLint(paths: string[]): Promise<Map<string, string>> {
  requireTool('cfn-lint');
  // A process costs ~2 s to start: a second one only pays off from about eight templates each.
  const workers = Math.max(1, Math.min(availableParallelism(), Math.floor(paths.length / 8)));
  const shares = Array.from({ length: workers }, (_, index) => paths.filter((_, i) => i % workers === index));
  const outputs = await Promise.all(shares.map((share) => lintShare(share)));
  const findings = new Map(paths.map((path) => [path, '']));
  for (const line of outputs.join('\n').split('\n').filter(Boolean)) {
    const path = paths.find((candidate) => line.startsWith(`${candidate}:`)) ?? paths[0];
    findings.set(path, `${findings.get(path)}${line}\n`);
  }
  return findings;
}

function lintShare(paths: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('cfn-lint', ['--format', 'parseable', '--include-checks', 'I', '--', ...paths], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0 && stdout.trim() === '') reject(new Error(`cfn-lint failed to run (exit ${status}): ${stderr}`));
      else resolvePromise(stdout);
    });
  });
}

/** python3 -m py_compile over files; returns the compiler's complaints ('' when all compile). */
export function pyCompile(paths: string[]): string {
  requireTool('python3');
  const result = spawnSync('python3', ['-m', 'py_compile', ...paths], { encoding: 'utf8' });
  return result.status === 0 ? '' : `${result.stdout}${result.stderr}`;
}

/**
 * A fake python<version> on PATH: makes .venv with a python whose pip install prints a line and fails (as offline)
 * after `pipSeconds`, logging every call.
 */
export function fakePython(version: string, pipSeconds = 0): { bin: string; log: string } {
  const bin = tempDir('cp-fakepy-');
  const log = join(bin, 'calls.log');
  const pip = `#!/bin/sh\\necho "venv-python $*" >> ${log}\\nsleep ${pipSeconds}\\necho "ERROR: no network" >&2\\nexit 1\\n`;
  const script = [
    '#!/bin/sh',
    `echo "python${version} $*" >> ${log}`,
    'if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then',
    '  mkdir -p "$3/bin"',
    `  printf '${pip}' > "$3/bin/python"`,
    '  chmod +x "$3/bin/python"',
    'fi',
    'exit 0',
  ].join('\n');
  writeFileSync(join(bin, `python${version}`), `${script}\n`);
  chmodSync(join(bin, `python${version}`), 0o755);
  return { bin, log };
}
