// The generated .gitlab-ci.yml run on this machine by gitlab-ci-local (shell executor): its schema check, the jobs a
// merge request and a push to the release branch start, and the unit-test and package jobs with the real Chalice.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PartialAnswers } from '../lib/answers/settings.js';
import { pythonEnv } from './support/chalice.js';
import { PACKAGE_ROOT, STAGES_EXAMPLE, newRepositoryFiles, requireTool, tempDir, writeTree } from './support/tools.js';

const GITLAB_CI_LOCAL = join(PACKAGE_ROOT, 'node_modules', '.bin', 'gitlab-ci-local');

const jobsListed = (output: string) => output.split('\n').filter((line) => /^[a-z][\w-]+\s+\S/.test(line) && !line.startsWith('name ')).map((line) => line.split(/\s+/)[0]);

/** A generated repository committed to git (gitlab-ci-local copies the tracked files, with rsync), and a runner for it. */
function generatedRepository(answers: PartialAnswers) {
  const repo = tempDir('gitlab-ci-');
  const home = tempDir('gitlab-ci-home-');
  after(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });
  before(() => {
    requireTool('rsync');
    requireTool('git');
    writeTree(repo, newRepositoryFiles({ ci: 'gitlab-ci', repository: 'acme/platform/orders', ...answers }));
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: repo, encoding: 'utf8' });
    git('init', '--quiet', '--initial-branch=main');
    git('add', '--all');
    assert.equal(git('commit', '--quiet', '-m', 'generated').status, 0);
  });
  // No package index here: pip only confirms that the machine's Chalice and pytest satisfy requirements-dev.txt.
  const run = (args: string[]) => spawnSync(GITLAB_CI_LOCAL, ['--home', home, '--force-shell-executor', '--variable', 'PIP_NO_INDEX=1', '--variable', 'PIP_NO_DEPS=1', ...args], {
    cwd: repo, encoding: 'utf8', timeout: 240_000, env: pythonEnv({ PIP_NO_DEPS: '1' }),
  });
  return { repo, run };
}

describe('.gitlab-ci.yml under gitlab-ci-local', () => {
  const { repo, run } = generatedRepository({ prodDeployment: 'Canary10Percent5Minutes' });

  it('passes GitLab\'s schema; a merge request runs the unit tests only, a push every job (prod behind a manual job)', () => {
    const push = run(['--list']);
    assert.equal(push.status, 0, push.stderr + push.stdout);
    assert.match(push.stderr, /json schema validated/);
    assert.deepEqual(jobsListed(push.stdout), ['unit-tests', 'package', 'review-beta', 'deploy-beta', 'integration-tests-beta', 'review-prod', 'deploy-prod']);
    // The review runs by itself; the approval is the manual deploy job after it.
    assert.doesNotMatch(push.stdout.split('\n').find((line) => line.startsWith('review-prod'))!, /\bmanual\b/);
    assert.match(push.stdout.split('\n').find((line) => line.startsWith('deploy-prod'))!, /\bmanual\b/);
    const mergeRequest = run(['--list', '--variable', 'CI_PIPELINE_SOURCE=merge_request_event']);
    assert.equal(mergeRequest.status, 0, mergeRequest.stderr);
    assert.deepEqual(jobsListed(mergeRequest.stdout), ['unit-tests']);
  });

  it('runs the unit-test and package jobs with the real Chalice: every stage packaged and checked, the artifact kept', () => {
    const result = run(['unit-tests', 'package']);
    assert.equal(result.status, 0, result.stdout.slice(-3000) + result.stderr);
    assert.match(result.stdout, /PASS\s+unit-tests/);
    assert.match(result.stdout, /PASS\s+package/);
    assert.match(result.stdout, /\$ python scripts\/check_deploy_role\.py build\/prod\/sam\.json/);
    assert.ok(existsSync(join(repo, 'reports', 'unit-tests.xml')));
    for (const stage of ['beta', 'prod']) {
      const template = JSON.parse(readFileSync(join(repo, '.gitlab-ci-local', 'artifacts', 'package', 'build', stage, 'sam.json'), 'utf8'));
      assert.ok(template.Resources.APIHandler, stage);
    }
    // Canary prod: the alias and its deployment preference came from the merge template.
    const prod = JSON.parse(readFileSync(join(repo, '.gitlab-ci-local', 'artifacts', 'package', 'build', 'prod', 'sam.json'), 'utf8'));
    assert.equal(prod.Resources.APIHandler.Properties.AutoPublishAlias, 'live');
  });
});

describe("issue 17's stage list in .gitlab-ci.yml under gitlab-ci-local", () => {
  const { run } = generatedRepository({ region: 'us-east-1', stages: STAGES_EXAMPLE });

  it("passes GitLab's schema; a push lists every stage in order, prod's wave as one manual job per target", () => {
    const push = run(['--list']);
    assert.equal(push.status, 0, push.stderr + push.stdout);
    assert.match(push.stderr, /json schema validated/);
    const waves = ['deploy-prod-ProdEuWest1', 'deploy-prod-ProdUsEast1'];
    assert.deepEqual(jobsListed(push.stdout), [
      'unit-tests', 'package', 'review-dev', 'deploy-dev', 'review-staging', 'deploy-staging', 'integration-tests-staging',
      'review-prod-ProdEuWest1', waves[0], 'review-prod-ProdUsEast1', waves[1],
    ]);
    for (const job of waves) assert.match(push.stdout.split('\n').find((line) => line.startsWith(job))!, /\bmanual\b/, job);
    assert.doesNotMatch(push.stdout.split('\n').find((line) => line.startsWith('deploy-staging'))!, /\bmanual\b/);
  });
});
