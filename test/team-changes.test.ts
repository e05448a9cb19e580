// A home for a team's own changes: build steps in hook scripts the buildspecs run when present, targets outside
// the Makefile block, both surviving re-runs without --force; --force keeps a backup and says where; each refusal
// says what to do for that file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runBuildspec } from './support/codebuild.js';
import { repositoryCopy } from './support/chalice.js';
import { BIN, newRepositoryFiles, readTree, runCliInProcess, tempDir, writeTree } from './support/tools.js';

const QUIET = ['--skip-install', '--skip-git'];

describe('build hooks (scripts/pre-build.sh, ...)', () => {
  it('the Build stage runs scripts/pre-build.sh when present (before the unit tests); a failing hook fails the build', async () => {
    // Without unit tests the pre_build phase is the hook alone (fast); with them the hook comes first.
    assert.match(newRepositoryFiles({ appName: 'hooked' }).get('buildspec.yml')!, /pre-build\.sh; fi\n(\s+#.*\n)*\s+- python -m pytest tests /);
    const files = newRepositoryFiles({ appName: 'hooked', unitTests: false });
    const quiet = repositoryCopy(files, 'cp-hooks-');
    const without = await runBuildspec({ source: quiet, phases: ['pre_build'] });
    assert.equal(without.status, 0, `no hook: nothing to run\n${without.output}`);
    const source = repositoryCopy(new Map([...files, ['scripts/pre-build.sh', 'echo "team step ran" > team-step.txt\n']]), 'cp-hooks-');
    const run = await runBuildspec({ source, phases: ['pre_build'] });
    assert.equal(run.status, 0, run.output);
    assert.equal(readFileSync(join(source, 'team-step.txt'), 'utf8'), 'team step ran\n');
    const failing = repositoryCopy(new Map([...files, ['scripts/pre-build.sh', 'echo "lint failed" >&2\nexit 1\n']]), 'cp-hooks-');
    const failed = await runBuildspec({ source: failing, phases: ['pre_build'] });
    assert.notEqual(failed.status, 0);
    assert.equal(failed.failedPhase, 'PRE_BUILD');
  });

  it('every buildspec names its hook, after packaging and before the integration tests as well', () => {
    const files = newRepositoryFiles({ appName: 'hooked' });
    assert.match(files.get('buildspec.yml')!, /if \[ -f scripts\/post-build\.sh \]; then bash scripts\/post-build\.sh; fi/);
    assert.match(files.get('buildspec-integration.yml')!, /if \[ -f scripts\/pre-integration-tests\.sh \]; then bash scripts\/pre-integration-tests\.sh; fi\n\s+- python -m pytest tests\/integration/);
  });
});

describe('re-runs keep the team\'s changes without --force', () => {
  it('hook scripts and targets below the Makefile block survive a re-run with changed answers', async () => {
    const cwd = tempDir();
    assert.equal((await runCliInProcess(['--app-name', 'orders', '--defaults', ...QUIET], cwd)).status, 0);
    const root = join(cwd, 'orders');
    const makefile = readFileSync(join(root, 'Makefile'), 'utf8');
    assert.match(makefile, /# <<< chalice-pipeline <<<\n\n# Your own targets and variables: below this line/, 'a new Makefile says where the team\'s targets go');
    writeTree(root, { Makefile: `${makefile}lint:\n\truff check .\n`, 'scripts/pre-build.sh': 'ruff check .\n' });
    const rerun = await runCliInProcess(['pipeline', '--no-production', ...QUIET], root);
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(readFileSync(join(root, 'Makefile'), 'utf8'), /^lint:\n\truff check \.\n$/m);
    assert.equal(readFileSync(join(root, 'scripts/pre-build.sh'), 'utf8'), 'ruff check .\n');
  });
});

describe('--force keeps a backup', () => {
  it('the overwritten versions go to .chalice-pipeline-backup/<time>/ and the run says where; the refusal before says what to do', async () => {
    const cwd = tempDir();
    assert.equal((await runCliInProcess(['--app-name', 'orders', '--defaults', ...QUIET], cwd)).status, 0);
    const root = join(cwd, 'orders');
    const edited = `${readFileSync(join(root, 'buildspec.yml'), 'utf8')}# our step\n`;
    writeFileSync(join(root, 'buildspec.yml'), edited);
    const before = readTree(root);
    const refused = await runCliInProcess(['pipeline', '--region', 'eu-west-1', ...QUIET], root);
    assert.equal(refused.status, 3);
    assert.match(refused.stderr, /buildspec\.yml: changed since it was generated; not overwritten: put your steps in scripts\/pre-build\.sh or scripts\/post-build\.sh \(the buildspec runs it when present, re-runs never touch it\), restore the file \(git checkout -- buildspec\.yml\) and run again, or pass --force to overwrite it \(your version is kept in \.chalice-pipeline-backup\/\)/);
    assert.deepEqual(readTree(root), before);
    const forced = await runCliInProcess(['pipeline', '--region', 'eu-west-1', '--force', ...QUIET], root);
    assert.equal(forced.status, 0, forced.stderr);
    const [stamp, ...others] = readdirSync(join(root, '.chalice-pipeline-backup'));
    assert.equal(others.length, 0);
    assert.match(forced.stdout, new RegExp(`^--force: your versions of buildspec\\.yml are kept in \\.chalice-pipeline-backup/${stamp}/$`, 'm'));
    assert.equal(readFileSync(join(root, '.chalice-pipeline-backup', stamp!, 'buildspec.yml'), 'utf8'), edited);
    assert.doesNotMatch(readFileSync(join(root, 'buildspec.yml'), 'utf8'), /# our step/);
    assert.ok(!existsSync(join(root, '.chalice-pipeline-backup', stamp!, 'Makefile')), 'only what was overwritten');
  });

  it('the same on the Yeoman route (the runtime yo and a terminal use)', async () => {
    const cwd = tempDir();
    assert.equal((await runCliInProcess(['--app-name', 'orders', '--defaults', ...QUIET], cwd)).status, 0);
    const root = join(cwd, 'orders');
    const edited = `${readFileSync(join(root, 'buildspec.yml'), 'utf8')}# our step\n`;
    writeFileSync(join(root, 'buildspec.yml'), edited);
    // Yeoman's runtime takes seconds to load on a busy machine: a longer timeout than runCli's.
    const forced = spawnSync(process.execPath, [BIN, 'pipeline', '--region', 'eu-west-1', '--force', ...QUIET], {
      cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', CHALICE_PIPELINE_RUNTIME: 'yeoman' },
    });
    assert.equal(forced.status, 0, forced.stderr);
    const [stamp] = readdirSync(join(root, '.chalice-pipeline-backup'));
    assert.equal(readFileSync(join(root, '.chalice-pipeline-backup', stamp!, 'buildspec.yml'), 'utf8'), edited);
    assert.match(`${forced.stdout}${forced.stderr}`, /--force: your versions of buildspec\.yml are kept in \.chalice-pipeline-backup\//);
  });
});
