// The bin as a user runs it: a fresh process on a temp dir, exit codes, printed next steps, git and make.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXAMPLE_ANSWERS, fakePython, readTree, runCli, tempDir } from './support/tools.js';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test User', GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test User', GIT_COMMITTER_EMAIL: 'test@example.com',
};
/** A git that knows no user: no global or system config, no identity variables. */
const NO_IDENTITY = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' };

/** The repository product.md promises for a new app with every stage on. */
const PROMISED_FILES = [
  'app.py', 'chalicelib/__init__.py', '.chalice/config.json', 'requirements.txt', 'requirements-dev.txt',
  'tests/test_app.py', 'tests/integration/conftest.py', 'tests/integration/test_endpoint.py', 'pipeline.json',
  'buildspec.yml', 'buildspec-integration.yml', 'Makefile', 'README.md', '.gitignore', '.yo-rc.json',
];

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('chalice-pipeline --answers examples/answers.json (the README main job)', () => {
  const cwd = tempDir();
  const result = runCli(['--answers', EXAMPLE_ANSWERS, '--skip-install'], cwd, IDENTITY);
  const root = join(cwd, 'orders');

  it('exits 0 and writes every promised file into ./orders', () => {
    assert.equal(result.status, 0, result.stderr);
    for (const path of PROMISED_FILES) assert.ok(existsSync(join(root, path)), `${path} missing`);
  });

  it('prints the next steps for this app', () => {
    assert.match(result.stdout, /Next steps:\n {2}cd orders\n {2}make deploy .*orders-pipeline in eu-west-1/);
    assert.match(result.stdout, /credential\.https:\/\/git-codecommit\.eu-west-1\.amazonaws\.com\.helper '!aws codecommit credential-helper \$@'/);
    assert.match(result.stdout, /git push codecommit main/);
    assert.match(result.stdout, /codecommit::eu-west-1:\/\/orders/);
  });

  it('commits once on the chosen branch and adds the codecommit remote', () => {
    assert.equal(git(root, 'branch', '--show-current'), 'main');
    assert.equal(git(root, 'rev-list', '--count', 'HEAD'), '1');
    assert.equal(git(root, 'remote', 'get-url', 'codecommit'), 'https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/orders');
    assert.equal(git(root, 'status', '--porcelain'), '', 'everything generated is committed');
  });

  it('has a Makefile whose deploy target creates the pipeline stack', () => {
    const dryRun = execFileSync('make', ['-n', 'deploy'], { cwd: root, encoding: 'utf8' });
    assert.match(dryRun, /^aws cloudformation deploy --region eu-west-1 --stack-name orders-pipeline --template-file build\/pipeline\.min\.json --capabilities CAPABILITY_IAM /m);
    // The compact copy it sends (aws cloudformation deploy takes at most 51,200 bytes inline) is pipeline.json itself.
    const compact = dryRun.split('\n').find((line) => line.includes('build/pipeline.min.json') && line.startsWith('mkdir'))!;
    execFileSync('sh', ['-c', compact], { cwd: root });
    const sent = readFileSync(join(root, 'build', 'pipeline.min.json'), 'utf8');
    assert.deepEqual(JSON.parse(sent), JSON.parse(readFileSync(join(root, 'pipeline.json'), 'utf8')));
    assert.equal(sent, JSON.stringify(JSON.parse(sent)), 'compact JSON');
    rmSync(join(root, 'build'), { recursive: true });
    assert.match(dryRun, /--parameter-overrides ApplicationName=orders BranchName=main .*RepositoryName=orders ApprovalEmail=orders-team@example\.com/);
    const overridden = execFileSync('make', ['-n', 'deploy', 'REGION=us-west-2', 'STACK=other'], { cwd: root, encoding: 'utf8' });
    assert.match(overridden, /--region us-west-2 --stack-name other /);
  });

  it('keeps every answer in .yo-rc.json', () => {
    const saved = JSON.parse(readFileSync(join(root, '.yo-rc.json'), 'utf8'))['generator-chalice-pipeline'];
    assert.equal(saved.appName, 'orders');
    assert.equal(saved.region, 'eu-west-1');
    assert.equal(saved.approvalEmail, 'orders-team@example.com');
  });

  it('a second run from the same folder changes nothing', () => {
    const before = readTree(root);
    const again = runCli(['--answers', EXAMPLE_ANSWERS, '--skip-install'], cwd, IDENTITY);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /up to date/);
    assert.deepEqual(readTree(root), before);
    assert.equal(git(root, 'rev-list', '--count', 'HEAD'), '1');
  });
});

describe('git set-up', () => {
  it('initialises and stages but never invents an identity', () => {
    const cwd = tempDir();
    const result = runCli(['--app-name', 'noident', '--defaults', '--skip-install'], cwd, NO_IDENTITY);
    assert.equal(result.status, 0, result.stderr);
    const root = join(cwd, 'noident');
    assert.match(result.stdout, /no git identity is configured, so the first commit is yours/);
    assert.notEqual(spawnSync('git', ['rev-parse', '--verify', 'HEAD'], { cwd: root, env: { ...process.env, ...NO_IDENTITY } }).status, 0, 'no commit was made');
    assert.match(git(root, 'diff', '--cached', '--name-only'), /pipeline\.json/);
    assert.equal(git(root, 'remote', 'get-url', 'codecommit'), 'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/noident');
  });

  it('releases the chosen branch', () => {
    const cwd = tempDir();
    const result = runCli(['--app-name', 'trunked', '--branch', 'release/v2', '--defaults', '--skip-install'], cwd, IDENTITY);
    assert.equal(result.status, 0, result.stderr);
    const root = join(cwd, 'trunked');
    assert.equal(git(root, 'branch', '--show-current'), 'release/v2');
    const template = JSON.parse(readFileSync(join(root, 'pipeline.json'), 'utf8'));
    assert.equal(template.Parameters.BranchName.Default, 'release/v2');
    assert.match(result.stdout, /git push codecommit release\/v2/);
  });

  it('says so and goes on when git is missing', () => {
    const cwd = tempDir();
    const result = runCli(['--app-name', 'nogit', '--defaults', '--skip-install'], cwd, { PATH: '/nonexistent' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /git was not found/);
    assert.ok(existsSync(join(cwd, 'nogit', 'pipeline.json')));
    assert.ok(!existsSync(join(cwd, 'nogit', '.git')));
  });

  it('a new app inside an existing repository (a monorepo) gets no nested repository', () => {
    const mono = tempDir();
    git(mono, 'init', '--quiet');
    const result = runCli(['--app-name', 'inner', '--defaults', '--skip-install'], mono, IDENTITY);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(!existsSync(join(mono, 'inner', '.git')));
    assert.match(result.stdout, /is inside the git repository .*; no nested repository made/);
    assert.match(git(mono, 'status', '--porcelain'), /\?\? inner\//);
  });

  it('a new app in a folder the enclosing repository ignores (the example in a checkout) gets a repository of its own', () => {
    const checkout = tempDir();
    git(checkout, 'init', '--quiet');
    writeFileSync(join(checkout, '.gitignore'), '/orders/\n');
    const result = runCli(['--answers', EXAMPLE_ANSWERS, '--skip-install'], checkout, IDENTITY);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(existsSync(join(checkout, 'orders', '.git')), 'its own repository');
    assert.doesNotMatch(result.stdout, /commit the new folder there|git add --all/);
    assert.match(result.stdout, /git: initialised on main with a first commit/);
  });

  it('the pipeline sub-generator never runs git init or commits: the repository is the user\'s', () => {
    const cwd = tempDir();
    assert.equal(runCli(['--app-name', 'plain', '--defaults', '--skip-install', '--skip-git', '--no-integration-tests'], cwd).status, 0);
    const root = join(cwd, 'plain');
    const result = runCli(['pipeline', '--defaults', '--skip-install', '--approval-email', 'ops@example.com'], root, IDENTITY);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(!existsSync(join(root, '.git')));
    assert.match(result.stdout, /git init --initial-branch=main && git add --all && git commit/);
  });

  it('--skip-git leaves git alone', () => {
    const cwd = tempDir();
    const result = runCli(['--app-name', 'skipped', '--defaults', '--skip-install', '--skip-git'], cwd, IDENTITY);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(!existsSync(join(cwd, 'skipped', '.git')));
  });
});

describe('connection sources', () => {
  it('tells the user to approve the connection and push to the provider', () => {
    const cwd = tempDir();
    const result = runCli(['--app-name', 'gh', '--source', 'github', '--repository', 'acme/gh', '--defaults', '--skip-install'], cwd, IDENTITY);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /approve the PENDING connection/);
    assert.match(result.stdout, /git push origin main/);
    assert.equal(git(join(cwd, 'gh'), 'remote', 'get-url', 'origin'), 'https://github.com/acme/gh.git');
    assert.doesNotMatch(result.stdout, /git remote add origin/, 'the run added the remote: adding it again would fail');
  });

  it('without the remote (the pipeline command on a repository of its own) the next steps add it; one line per e-mail address', () => {
    const cwd = tempDir();
    assert.equal(runCli(['--app-name', 'gl', '--defaults', '--skip-install', '--skip-git'], cwd).status, 0);
    const root = join(cwd, 'gl');
    git(root, 'init', '--quiet');
    const result = runCli(['pipeline', '--source', 'gitlab', '--repository', 'acme/gl', '--approval-email', 'ops@example.com', '--defaults', '--skip-install'], root, IDENTITY);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ {2}git remote add origin https:\/\/gitlab\.com\/acme\/gl\.git$/m);
    assert.equal(result.stdout.split('confirm').length, 2, `one confirmation line for one address:\n${result.stdout}`);
    assert.match(result.stdout, /confirm the two subscription e-mails AWS sends to ops@example\.com: approvals are announced and failed pipeline executions are reported only after that/);
  });
});

describe('--help and --dry-run', () => {
  it('--help lists every answer flag and the exit codes', () => {
    const result = runCli(['--help'], tempDir());
    assert.equal(result.status, 0);
    for (const flag of ['--app-name', '--python-version', '--[no-]unit-tests', '--answers', '--defaults', '--force', '--skip-git']) {
      assert.ok(result.stdout.includes(flag), `${flag} missing from --help`);
    }
    assert.match(result.stdout, /Exit codes: 0 done/);
    assert.doesNotMatch(result.stdout, /\(default: [^)]*\).*\(default:/, 'one default per flag');
    assert.match(result.stdout, /--notification-email VALUE .*\(default: <approvalEmail>\)/);
  });

  it('help per command: `pipeline --help` is the pipeline command\'s (app name from .chalice/config.json, not required)', () => {
    const result = runCli(['pipeline', '--help'], tempDir());
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Usage: chalice-pipeline pipeline \[options\]/);
    assert.match(result.stdout, /--app-name VALUE .*\(default: app_name of \.chalice\/config\.json\)/);
    assert.doesNotMatch(result.stdout, /\(default: required\)|Yeoman options/);
  });

  it('an account id as the console shows it (2222-2222-2222) is accepted and saved as 12 digits', () => {
    const cwd = tempDir();
    const result = runCli(['--app-name', 'acct', '--defaults', '--skip-install', '--skip-git', '--beta-account-id', '2222-2222-2222'], cwd);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(JSON.parse(readFileSync(join(cwd, 'acct', '.yo-rc.json'), 'utf8'))['generator-chalice-pipeline'].betaAccountId, '222222222222');
  });

  it('--dry-run prints the plan and writes nothing', () => {
    const cwd = tempDir();
    const result = runCli(['--app-name', 'dry', '--defaults', '--dry-run'], cwd);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /create +dry\/pipeline\.json/);
    assert.match(result.stdout, /dry run: nothing was written/);
    assert.deepEqual([...readTree(cwd).keys()], []);
  });
});

describe('.venv set-up (unless --skip-install)', () => {
  it('creates .venv with the chosen Python; a failed install is a warning with the command to run later, exit 0', () => {
    const { bin, log } = fakePython('3.13');
    const cwd = tempDir();
    const result = runCli(['--app-name', 'venvy', '--defaults', '--skip-git'], cwd, { PATH: `${bin}:/usr/bin:/bin` });
    assert.equal(result.status, 0, result.stderr);
    const calls = readFileSync(log, 'utf8');
    assert.match(calls, /^python3\.13 -m venv \.venv$/m);
    assert.match(calls, /^venv-python -m pip install .*-r requirements\.txt -r requirements-dev\.txt$/m);
    assert.match(result.stdout, /warning: installing requirements-dev\.txt failed \(offline\?\); the half-made \.venv was removed; run later: cd .*venvy && make venv/);
    assert.ok(!existsSync(join(cwd, 'venvy', '.venv')), 'no half-made .venv to break make test');
    assert.match(result.stdout, /Next steps:\n {2}cd venvy\n {2}make venv +# finish \.venv/);
    assert.ok(existsSync(join(cwd, 'venvy', 'pipeline.json')), 'the files are written all the same');
  });
});

describe('where a new app goes', () => {
  it('into ./<appName>, or into the current folder when it is empty and named after the app', () => {
    const parent = tempDir();
    mkdirSync(join(parent, 'orders'));
    const result = runCli(['--app-name', 'orders', '--defaults', '--skip-install', '--skip-git'], join(parent, 'orders'));
    assert.equal(result.status, 0, result.stderr);
    assert.ok(existsSync(join(parent, 'orders', 'pipeline.json')));
    assert.ok(!existsSync(join(parent, 'orders', 'orders')));
    assert.doesNotMatch(result.stdout, /^ {2}cd /m, 'no cd in the next steps: we are there');
  });
});
