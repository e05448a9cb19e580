// Runs after the first: from the parent folder, on another branch, with a new name, with answers that do not apply,
// and in the wrong folder. Each must keep what was decided or say clearly what happens.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readTree, runCliInProcess, tempDir, writeTree } from './support/tools.js';

const QUIET = ['--skip-install', '--skip-git'];
const saved = (root: string) => JSON.parse(readFileSync(join(root, '.yo-rc.json'), 'utf8'))['generator-chalice-pipeline'];

/** A small hand-made Chalice repository (app "shop", one unit test) plus extra files; returns its folder. */
function shopRepo(extra: Record<string, string> = {}): string {
  const root = tempDir();
  writeTree(root, {
    '.chalice/config.json': '{"version": "2.0", "app_name": "shop", "stages": {"dev": {}}}\n',
    'app.py': "from chalice import Chalice\napp = Chalice(app_name='shop')\n\n\n@app.route('/')\ndef index():\n    return {}\n",
    'tests/test_app.py': 'def test_x():\n    pass\n',
    ...extra,
  });
  return root;
}

describe('re-runs and surprises', () => {
  it('a re-run from the parent folder with only the app name keeps the saved answers', async () => {
    const cwd = tempDir();
    const first = await runCliInProcess(['--app-name', 'bar', '--python-version', '3.12', '--branch', 'dev', '--no-production', ...QUIET], cwd);
    assert.equal(first.status, 0, first.stderr);
    const before = readTree(join(cwd, 'bar'));
    const again = await runCliInProcess(['--app-name', 'bar', ...QUIET], cwd);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /up to date/);
    assert.deepEqual(readTree(join(cwd, 'bar')), before);
    assert.equal(saved(join(cwd, 'bar')).pythonVersion, '3.12');
  });

  it('the pipeline releases the branch the repository is on, and says so when the answer differs', async () => {
    const root = shopRepo();
    execFileSync('git', ['init', '--quiet', '--initial-branch=master'], { cwd: root });
    const result = await runCliInProcess(['pipeline', '--defaults', ...QUIET], root);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(saved(root).branch, 'master');
    assert.match(result.stdout, /git push codecommit master/);
    const other = await runCliInProcess(['pipeline', '--defaults', '--branch', 'main', '--dry-run', ...QUIET], root);
    assert.match(other.stdout, /^warning: the pipeline releases main but this repository is on master: push with git push codecommit master:main/m);
    // And the next steps push the checked-out branch onto the released one.
    const written = await runCliInProcess(['pipeline', '--defaults', '--branch', 'main', ...QUIET], root);
    assert.equal(written.status, 0, written.stderr);
    assert.match(written.stdout, /^ {2}git push codecommit master:main {3}# starts the pipeline$/m);
  });

  it('a new app name for an existing pipeline is a warning naming the new stacks', async () => {
    const cwd = tempDir();
    assert.equal((await runCliInProcess(['--app-name', 'orders', '--defaults', ...QUIET], cwd)).status, 0);
    const result = await runCliInProcess(['pipeline', '--app-name', 'orders2', '--defaults', '--dry-run', ...QUIET], join(cwd, 'orders'));
    assert.match(result.stdout, /^warning: appName changes from orders to orders2: .*orders2BetaStack/m);
  });

  it('answers that do not apply are named, not silently dropped', async () => {
    const result = await runCliInProcess(['--app-name', 'x', '--no-production', '--manual-approval', '--approval-email', 'a@example.com', '--defaults', '--dry-run', ...QUIET], tempDir());
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^warning: manualApproval ignored: it applies only with production$/m);
    assert.match(result.stdout, /^warning: approvalEmail ignored: it applies only with ci codepipeline, and a stage list or production and manualApproval$/m);
  });

  it('the app command inside a Chalice app it did not create stops (exit 3) naming the pipeline command; nothing written', async () => {
    const root = shopRepo();
    const before = readTree(root);
    for (const args of [['--defaults'], ['--app-name', 'shop', '--defaults'], ['--app-name', 'other', '--defaults']]) {
      const result = await runCliInProcess([...args, ...QUIET], root);
      assert.equal(result.status, 3, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^error: .* is a Chalice app that `chalice-pipeline` did not create: run `chalice-pipeline pipeline` to add or upgrade its pipeline/m);
      assert.deepEqual(readTree(root), before, 'nothing written (no nested app either)');
    }
    // From a subfolder as well.
    const sub = await runCliInProcess(['--app-name', 'other', '--defaults', ...QUIET], join(root, 'tests'));
    assert.equal(sub.status, 3, sub.stderr);
  });

  it('after the pipeline command added a pipeline, the app command still stops: the team\'s tests, README and Makefile stay', async () => {
    const root = shopRepo({
      'tests/integration/test_endpoint.py': 'def test_orders():\n    pass\n',
      Makefile: 'deploy:\n\tchalice deploy\n',
    });
    const added = await runCliInProcess(['pipeline', '--defaults', ...QUIET], root);
    assert.equal(added.status, 0, added.stderr);
    const before = readTree(root);
    const result = await runCliInProcess(['--defaults', ...QUIET], root);
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /did not create: run `chalice-pipeline pipeline`/);
    assert.deepEqual(readTree(root), before);
    // From the parent folder, naming it: refused as well (no regeneration through --app-name).
    const parent = tempDir();
    renameSync(root, join(parent, 'shop'));
    const fromParent = await runCliInProcess(['--app-name', 'shop', '--defaults', ...QUIET], parent);
    assert.equal(fromParent.status, 3, fromParent.stderr);
    assert.deepEqual(readTree(join(parent, 'shop')), before);
  });

  it('an app the app command created is still regenerated in place by it', async () => {
    const cwd = tempDir();
    assert.equal((await runCliInProcess(['--app-name', 'orders', '--defaults', ...QUIET], cwd)).status, 0);
    const again = await runCliInProcess(['--defaults', ...QUIET], join(cwd, 'orders'));
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /up to date/);
  });
});

describe('the README pipeline section', () => {
  it('follows changed answers; the user\'s own lines around it stay', async () => {
    const cwd = tempDir();
    assert.equal((await runCliInProcess(['--app-name', 'orders', '--defaults', ...QUIET], cwd)).status, 0);
    const root = join(cwd, 'orders');
    const readme = join(root, 'README.md');
    const edited = readFileSync(readme, 'utf8').replace(/^# orders$/m, '# Orders service') + '\nOur own notes.\n';
    writeTree(root, { 'README.md': edited });
    const result = await runCliInProcess(['--no-production', ...QUIET], root);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^merge +README\.md$/m);
    const after = readFileSync(readme, 'utf8');
    assert.match(after, /^# Orders service$/m);
    assert.match(after, /Our own notes\.\n$/);
    assert.doesNotMatch(after, /ProdStack|Approval\["/, 'the diagram lost the stages the answers dropped');
    assert.match(after, /IntegrationTests\["IntegrationTests/);
  });

  it('a README without the markers (the repository\'s own) is never touched by the pipeline sub-command', async () => {
    const root = shopRepo({ 'README.md': '# Shop\n\nOur README.\n' });
    const result = await runCliInProcess(['pipeline', '--defaults', ...QUIET], root);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(join(root, 'README.md'), 'utf8'), '# Shop\n\nOur README.\n');
    assert.doesNotMatch(result.stdout, /README\.md/);
  });
});

describe('changes inside a generated block', () => {
  it('are a conflict (exit 3, nothing written) until --force; lines outside the block are always kept', async () => {
    const cwd = tempDir();
    assert.equal((await runCliInProcess(['--app-name', 'orders', '--defaults', ...QUIET], cwd)).status, 0);
    const root = join(cwd, 'orders');
    const makefile = readFileSync(join(root, 'Makefile'), 'utf8');
    writeTree(root, { Makefile: `${makefile.replace('--no-fail-on-empty-changeset', '--no-fail-on-empty-changeset --tags team=core')}\nmine:\n\techo mine\n` });
    const before = readTree(root);
    const refused = await runCliInProcess(['pipeline', '--no-production', ...QUIET], root);
    assert.equal(refused.status, 3, refused.stderr);
    assert.match(refused.stderr, /^error: Makefile: changed between the chalice-pipeline markers \(the generated block\); not overwritten: move your lines out of the block \(below the end marker, which re-runs never touch\) and run again, or pass --force/m);
    assert.deepEqual(readTree(root), before);
    const forced = await runCliInProcess(['pipeline', '--no-production', '--force', ...QUIET], root);
    assert.equal(forced.status, 0, forced.stderr);
    const after = readFileSync(join(root, 'Makefile'), 'utf8');
    assert.doesNotMatch(after, /--tags team=core/);
    assert.match(after, /^mine:\n\techo mine\n$/m);
  });
});

describe('small things a first user meets', () => {
  it('--version prints the package version', async () => {
    const result = await runCliInProcess(['--version'], tempDir());
    assert.equal(result.status, 0);
    assert.equal(result.stdout.trim(), JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });

  it('pyproject dependencies without requirements.txt, and an unsupported .python-version, are warned about', async () => {
    const root = shopRepo({ 'pyproject.toml': '[project]\nname = "shop"\ndependencies = ["requests"]\n', '.python-version': '3.9\n' });
    const result = await runCliInProcess(['pipeline', '--defaults', '--dry-run', ...QUIET], root);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^warning: pyproject\.toml lists dependencies, but Chalice packages requirements\.txt only/m);
    assert.match(result.stdout, /^warning: \.python-version says 3\.9, the pipeline builds and deploys Python 3\.13/m);
  });

  it('make remote follows REGION given on the command line', () => {
    const cwd = tempDir();
    return runCliInProcess(['--app-name', 'orders', '--defaults', ...QUIET], cwd).then(() => {
      const dryRun = execFileSync('make', ['-n', 'remote', 'REGION=us-west-2'], { cwd: join(cwd, 'orders'), encoding: 'utf8' });
      assert.match(dryRun, /git remote add codecommit https:\/\/git-codecommit\.us-west-2\.amazonaws\.com\/v1\/repos\/orders/);
      assert.match(dryRun, /credential\.https:\/\/git-codecommit\.us-west-2\.amazonaws\.com\.helper/);
    });
  });
});
