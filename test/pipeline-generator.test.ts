// `chalice-pipeline pipeline` in existing Chalice repositories: what it adds, what it merges (keeping every line and
// key of the user's), how it upgrades a `chalice generate-pipeline` stack in place, and how it refuses.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import helpers from 'yeoman-test';
import { findRepositoryRoot } from '../lib/repository/existing.js';
import { MAKE_BLOCK_END, MAKE_BLOCK_START, mergeMakefile, renamedVariables, userTargets } from '../lib/repository/makefile.js';
import { appendMissingLines, gitignoreCovers } from '../lib/repository/repo-files.js';
import { JOURNAL_WRITING, JOURNAL_WRITTEN } from '../lib/run/write/transaction.js';
import {
  CHALICE_FLAVOURS, EXTRA_STAGES_CONFIG, USER_MAKEFILE, chalicePipelineRepo, extraStagesRepo, makefileRepo,
  newProjectRepo, pythonVersionRepo, type ChaliceFlavour, type Tree,
} from './support/fixtures.js';
import { PACKAGE_ROOT, cfnLint, readTree, runCliInProcess, tempDir, writeTree, type CliResult } from './support/tools.js';

const PIPELINE_GENERATOR = join(PACKAGE_ROOT, 'dist', 'generators', 'pipeline', 'index.js');
const RUN = ['pipeline', '--skip-git', '--skip-install'];

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function repo(files: Tree): string {
  const root = tempDir('cp-pipeline-');
  folders.push(root);
  writeTree(root, files);
  return root;
}

/** The bin's code in-process, fast (the spawned bin itself is covered by cli.test.ts and precedence.test.ts). */
function run(root: string, extra: string[] = [], cwd = root): Promise<CliResult> {
  return runCliInProcess([...RUN, ...extra], cwd);
}

function succeeded(result: CliResult): void {
  assert.equal(result.status, 0, `exit ${result.status}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
}

/** A second run with the same answers: exit 0, "up to date", the tree byte-identical. */
async function assertRerunChangesNothing(root: string): Promise<CliResult> {
  const before = readTree(root);
  const second = await run(root);
  succeeded(second);
  assert.match(second.stdout, /up to date/);
  assert.deepEqual(readTree(root), before);
  return second;
}

/** Files added, changed and removed between two readTree snapshots. */
function diff(before: Map<string, string>, after: Map<string, string>) {
  return {
    added: [...after.keys()].filter((path) => !before.has(path)).sort(),
    changed: [...after.keys()].filter((path) => before.has(path) && before.get(path) !== after.get(path)).sort(),
    removed: [...before.keys()].filter((path) => !after.has(path)).sort(),
  };
}

/** Every line of `original` is still in `merged`, in the same order (nothing lost, nothing reordered). */
function assertKeepsLines(original: string, merged: string, file: string): void {
  const wanted = original.split('\n');
  let at = 0;
  for (const line of merged.split('\n')) if (at < wanted.length && line === wanted[at]) at += 1;
  assert.equal(at, wanted.length, `${file}: line ${at + 1} of the original (${JSON.stringify(wanted[at])}) is missing or out of order`);
}

/** Key order at every level of an object (so a merge that reorders keys fails). */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) => [`${prefix}${key}`, ...keyPaths(inner, `${prefix}${key}.`)]);
}

const stage = (name: string) => ({ api_gateway_stage: 'api', environment_variables: { STAGE: name } });
const saved = (root: string) => JSON.parse(readFileSync(join(root, '.yo-rc.json'), 'utf8'))['generator-chalice-pipeline'];
const template = (root: string) => JSON.parse(readFileSync(join(root, 'pipeline.json'), 'utf8'));
const make = (root: string, target: string) => spawnSync('make', ['-n', target], { cwd: root, encoding: 'utf8' });

const PIPELINE_FILES = ['.yo-rc.json', 'Makefile', 'PIPELINE.md', 'buildspec-integration.yml', 'buildspec-review.yml', 'buildspec.yml', 'pipeline.json', 'scripts/check_deploy_role.py', 'scripts/deploy-role-coverage.json', 'scripts/review_changes.py', 'tests/integration/conftest.py', 'tests/integration/test_endpoint.py'];

describe('chalice-pipeline pipeline in a fresh `chalice new-project` repository', () => {
  let root: string;
  let original: Map<string, string>;
  let first: CliResult;
  before(async () => {
    root = repo(pythonVersionRepo('bookshop'));
    original = readTree(root);
    first = await run(root);
  });

  it('adds the pipeline files and merges only config.json and .gitignore', async () => {
    succeeded(first);
    const { added, changed, removed } = diff(original, readTree(root));
    assert.deepEqual(added, PIPELINE_FILES);
    assert.deepEqual(changed, ['.chalice/config.json', '.gitignore']);
    assert.deepEqual(removed, []);
  });

  it('adds the stages beta and prod to .chalice/config.json, keeping dev', async () => {
    assert.equal(readFileSync(join(root, '.chalice/config.json'), 'utf8'), `${JSON.stringify({
      version: '2.0',
      app_name: 'bookshop',
      stages: { dev: { api_gateway_stage: 'api' }, beta: stage('beta'), prod: stage('prod') },
    }, null, 2)}\n`);
  });

  it('keeps requirements-dev.txt (chalice==1.31.0, no second chalice line) and requirements.txt untouched', async () => {
    const dev = readFileSync(join(root, 'requirements-dev.txt'), 'utf8');
    assert.equal(dev, 'chalice==1.31.0\npytest\n');
    assert.equal(dev.split('\n').filter((line) => /^chalice\b/i.test(line)).length, 1);
    assert.equal(readFileSync(join(root, 'requirements.txt'), 'utf8'), '');
  });

  it('keeps the .gitignore lines and appends the missing ones', async () => {
    const text = readFileSync(join(root, '.gitignore'), 'utf8');
    assert.equal(text, '.chalice/deployments/\n.chalice/venv/\n.venv/\n__pycache__/\n*.pyc\n.pytest_cache/\n/reports/\n/build/\n.*.chalice-pipeline-*\n.chalice-pipeline-*.json\n');
    assertKeepsLines(original.get('.gitignore')!, text, '.gitignore');
  });

  it('.gitignore ignores what a killed run leaves (the writer\'s side files and journals), and none of the project', () => {
    const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    if (git('rev-parse', '--git-dir').status !== 0) assert.equal(git('init', '-q').status, 0);
    const leftovers = [`.Makefile.chalice-pipeline-1a2b3c.new`, `.chalice/.config.json.chalice-pipeline-1a2b3c.old`, '.chalice-pipeline-1a2b3c4d.json', '.chalice-pipeline-1a2b3c4d-4242.json', JOURNAL_WRITING, JOURNAL_WRITTEN];
    const kept = ['Makefile', 'app.py', 'pipeline.json', '.chalice/config.json', '.yo-rc.json', 'scripts/check_deploy_role.py'];
    const ignored = git('check-ignore', '--no-index', ...leftovers, ...kept).stdout.trim().split('\n');
    assert.deepEqual(ignored, leftovers);
  });

  it('takes appName from config.json and pythonVersion 3.12 from .python-version', async () => {
    const answers = saved(root);
    assert.equal(answers.appName, 'bookshop');
    assert.equal(answers.pythonVersion, '3.12');
    assert.equal(template(root).Parameters.ApplicationName.Default, 'bookshop');
    assert.match(readFileSync(join(root, 'buildspec.yml'), 'utf8'), /^ {6}python: "3\.12"$/m);
    assert.match(readFileSync(join(root, 'Makefile'), 'utf8'), /^STACK \?= bookshop-pipeline$/m);
  });

  it('a second run with the same answers changes nothing', async () => {
    await assertRerunChangesNothing(root);
  });
});

describe('chalice-pipeline pipeline beside the user\'s own Makefile', () => {
  let root: string;
  let result: CliResult;
  let makefile: string;
  before(async () => {
    root = repo(makefileRepo());
    result = await run(root);
    makefile = readFileSync(join(root, 'Makefile'), 'utf8');
  });

  it('keeps every line of the user\'s Makefile, in order, and appends one marked block', async () => {
    succeeded(result);
    assertKeepsLines(USER_MAKEFILE, makefile, 'Makefile');
    assert.ok(makefile.startsWith(`${USER_MAKEFILE}\n${MAKE_BLOCK_START}\n`), 'the block follows the user\'s lines after one blank line');
    assert.ok(makefile.endsWith(`${MAKE_BLOCK_END}\n`));
    assert.equal(makefile.split(MAKE_BLOCK_START).length, 2, 'exactly one block');
  });

  it('names our targets pipeline-deploy, pipeline-test, pipeline-help where the user has deploy, test, help, and says so', async () => {
    const block = makefile.slice(makefile.indexOf(MAKE_BLOCK_START));
    const ours = [...block.matchAll(/^([a-z-]+):/gm)].map((match) => match[1]);
    assert.deepEqual(ours, ['pipeline-help', 'venv', 'pipeline-test', 'integration-test', 'package', 'lint', 'pipeline-deploy', 'outputs', 'status', 'remote', 'push', 'destroy']);
    assert.ok(result.stdout.includes('note: Makefile: your targets help, test, deploy stay; ours are named pipeline-help, pipeline-test, pipeline-deploy'), result.stdout);
    // The user's PYTHON (python3) stays theirs; ours gets its own name so neither changes the other's recipes.
    assert.ok(result.stdout.includes('note: Makefile: your variables PYTHON stay; ours are named PIPELINE_PYTHON'), result.stdout);
    assert.match(result.stdout, /make pipeline-deploy\b/);
  });

  it('make -n pipeline-deploy deploys pipeline.json to <app>-pipeline; make -n deploy still runs the user\'s recipe', async () => {
    const ours = make(root, 'pipeline-deploy');
    assert.equal(ours.status, 0, ours.stderr);
    assert.match(ours.stdout, /^aws cloudformation deploy .*--stack-name orders-pipeline --template-file build\/pipeline\.min\.json --capabilities CAPABILITY_IAM/m);
    const theirs = make(root, 'deploy');
    assert.equal(theirs.status, 0, theirs.stderr);
    assert.equal(theirs.stdout, 'python3 -m pytest tests\nchalice deploy --stage dev\n');
    assert.equal(theirs.stderr, '', 'no "overriding recipe" warnings');
    assert.equal(make(root, 'help').stdout, 'echo "make deploy | test | clean"\n');
  });

  it('a user STACK variable keeps deploying the user\'s stack; ours deploys the pipeline stack', async () => {
    const own = 'STACK = orders-app\nREGION := eu-west-1\n\nrelease:\n\tsam deploy --stack-name $(STACK) --region $(REGION)\n';
    const other = repo({ ...newProjectRepo(), Makefile: own });
    const merged = await run(other);
    succeeded(merged);
    assert.ok(merged.stdout.includes('note: Makefile: your variables REGION, STACK stay; ours are named PIPELINE_REGION, PIPELINE_STACK'), merged.stdout);
    assert.ok(readFileSync(join(other, 'Makefile'), 'utf8').startsWith(`${own}\n${MAKE_BLOCK_START}\n`));
    assert.equal(make(other, 'release').stdout, 'sam deploy --stack-name orders-app --region eu-west-1\n');
    assert.match(make(other, 'deploy').stdout, /^aws cloudformation deploy --region us-east-1 --stack-name orders-pipeline --template-file build\/pipeline\.min\.json /m);
  });

  it('a re-run replaces the block in place: the Makefile stays byte-identical', async () => {
    await assertRerunChangesNothing(root);
  });
});

describe('chalice-pipeline pipeline where the user has both deploy and pipeline-deploy', () => {
  // Both names taken: ours must be chalice-pipeline-deploy, or make would merge two recipes under one name.
  const own = 'deploy:\n\tchalice deploy --stage dev\n\npipeline-deploy:\n\t./scripts/team-pipeline.sh\n';
  let root: string;
  let result: CliResult;
  before(async () => {
    root = repo({ ...newProjectRepo(), Makefile: own });
    result = await run(root);
  });

  it('names our target chalice-pipeline-deploy and says so', () => {
    succeeded(result);
    const makefile = readFileSync(join(root, 'Makefile'), 'utf8');
    const block = makefile.slice(makefile.indexOf(MAKE_BLOCK_START));
    const ours = [...block.matchAll(/^([a-z-]+):/gm)].map((match) => match[1]);
    assert.ok(ours.includes('chalice-pipeline-deploy') && !ours.includes('pipeline-deploy') && !ours.includes('deploy'), ours.join(' '));
    assert.ok(result.stdout.includes('ours are named chalice-pipeline-deploy'), result.stdout);
  });

  it('make -n pipeline-deploy and deploy run the team\'s recipes, untouched; chalice-pipeline-deploy deploys the pipeline', () => {
    const theirs = make(root, 'pipeline-deploy');
    assert.equal(theirs.status, 0, theirs.stderr);
    assert.equal(theirs.stdout, './scripts/team-pipeline.sh\n');
    assert.equal(theirs.stderr, '', 'no "overriding recipe" warnings');
    assert.equal(make(root, 'deploy').stdout, 'chalice deploy --stage dev\n');
    const ours = make(root, 'chalice-pipeline-deploy');
    assert.equal(ours.status, 0, ours.stderr);
    assert.match(ours.stdout, /^aws cloudformation deploy .*--stack-name orders-pipeline /m);
  });
});

describe('chalice-pipeline pipeline with a config.json grown by hand', () => {
  it('keeps every key, value, stage and the key order (and the 4-space indentation); adds beta and prod at the end', async () => {
    const root = repo(extraStagesRepo());
    succeeded(await run(root));
    const text = readFileSync(join(root, '.chalice/config.json'), 'utf8');
    const expected = { ...EXTRA_STAGES_CONFIG, stages: { ...EXTRA_STAGES_CONFIG.stages, beta: stage('beta'), prod: stage('prod') } };
    assert.equal(text, `${JSON.stringify(expected, null, 4)}\n`);
    const merged = JSON.parse(text);
    assert.deepEqual(keyPaths(merged).filter((path) => !/^stages\.(beta|prod)\b/.test(path)), keyPaths(EXTRA_STAGES_CONFIG));
    assert.deepEqual(Object.keys(merged.stages), ['dev', 'staging', 'beta', 'prod']);

    await assertRerunChangesNothing(root);
  });

  it('leaves a config.json that already has every stage byte-identical, whatever its formatting', async () => {
    const config = '{"app_name": "orders", "version": "2.0",\n "stages": {"dev": {}, "beta": {}, "prod": {"lambda_memory_size": 1024}}}\n';
    const root = repo({ ...newProjectRepo(), '.chalice/config.json': config });
    const result = await run(root);
    succeeded(result);
    assert.match(result.stdout, /^identical \.chalice\/config\.json$/m);
    assert.equal(readFileSync(join(root, '.chalice/config.json'), 'utf8'), config);
  });
});

describe('upgrade of a `chalice generate-pipeline` template', () => {
  const roots = new Map<ChaliceFlavour, string>();
  const results = new Map<ChaliceFlavour, CliResult>();
  const originals = new Map<ChaliceFlavour, Record<string, any>>();
  before(async () => {
    for (const flavour of CHALICE_FLAVOURS) {
      const files = chalicePipelineRepo(flavour);
      roots.set(flavour, repo(files));
      originals.set(flavour, JSON.parse(files['pipeline.json']));
      results.set(flavour, await run(roots.get(flavour)!));
    }
  });

  for (const flavour of CHALICE_FLAVOURS) {
    const codecommit = flavour.endsWith('codecommit');
    const data = codecommit ? ['SourceRepository', 'ApplicationBucket', 'ArtifactBucketStore'] : ['ApplicationBucket', 'ArtifactBucketStore'];

    it(`${flavour}: prints the upgrade plan before the file actions`, async () => {
      const result = results.get(flavour)!;
      succeeded(result);
      const lines = result.stdout.split('\n');
      const header = lines.indexOf('upgrade of a `chalice generate-pipeline` template (stack updated in place, same logical IDs):');
      assert.ok(header >= 0, result.stdout);
      assert.equal(lines[header + 1], `  keeps    ${data.join(', ')} (data kept: Retain on delete and replace)`);
      assert.match(lines[header + 2], /^ {2}adds {5}\S/);
      assert.match(lines[header + 3], /^ {2}changes {2}.*\bAppPipeline\b/);
      assert.equal(lines[header + 4], '  removes  (none)');
      assert.equal(lines[header + 5], '  settings ApplicationName orders (unchanged), branch master (unchanged) (--branch NAME releases another)');
      assert.ok(header < lines.indexOf('update    pipeline.json'), 'the plan comes before the file actions');
      if (!codecommit) assert.match(result.stdout, /^ {2}source {3}GitHub OAuth action \(deprecated\) -> CodeConnections for acme\/orders-api/m);
    });

    it(`${flavour}: keeps every chalice logical ID with its type, the data resources with Retain, ApplicationName and the branch`, async () => {
      const root = roots.get(flavour)!;
      const old = originals.get(flavour)!;
      const next = template(root);
      for (const [id, resource] of Object.entries<{ Type: string }>(old.Resources)) {
        assert.equal(next.Resources[id]?.Type, resource.Type, `${id} keeps its type (a type change fails the update)`);
      }
      for (const id of data) {
        assert.equal(next.Resources[id].DeletionPolicy, 'Retain', id);
        assert.equal(next.Resources[id].UpdateReplacePolicy, 'Retain', id);
        assert.equal(next.Resources[id].Properties.BucketName, undefined, `${id}: a new name would replace it`);
      }
      assert.equal(next.Parameters.ApplicationName.Default, old.Parameters.ApplicationName.Default);
      assert.equal(next.Parameters.BranchName.Default, 'master');
      const answers = saved(root);
      if (codecommit) {
        assert.equal(next.Parameters.RepositoryName.Default, 'orders', 'the CodeCommit repository keeps its name');
        assert.equal(answers.source, 'codecommit');
      } else {
        assert.equal(answers.source, 'github');
        assert.equal(answers.repository, 'acme/orders-api');
        assert.equal(next.Parameters.RepositoryId.Default, 'acme/orders-api');
        assert.equal(next.Resources.SourceRepository, undefined);
        for (const name of ['GithubOwner', 'GithubRepoName', 'GithubPersonalToken', 'GithubRepoSecretId']) assert.equal(next.Parameters[name], undefined, name);
      }
    });

    it(`${flavour}: a second run is a no-op`, async () => {
      const second = await assertRerunChangesNothing(roots.get(flavour)!);
      assert.doesNotMatch(second.stdout, /upgrade of/);
    });
  }

  it('cfn-lint finds nothing in any upgraded template', async () => {
    const paths = CHALICE_FLAVOURS.map((flavour) => join(roots.get(flavour)!, 'pipeline.json'));
    for (const [path, findings] of await cfnLint(paths)) assert.equal(findings, '', `${path}:\n${findings}`);
  });

  it('--dry-run prints the plan and leaves the tree byte-identical', async () => {
    const root = repo(chalicePipelineRepo('v1-codecommit'));
    const before = readTree(root);
    const result = await run(root, ['--dry-run']);
    succeeded(result);
    assert.match(result.stdout, /^upgrade of a `chalice generate-pipeline` template/m);
    assert.match(result.stdout, /^ {2}keeps {4}SourceRepository, ApplicationBucket, ArtifactBucketStore/m);
    assert.match(result.stdout, /^update {4}pipeline\.json$/m);
    assert.match(result.stdout, /dry run: nothing was written/);
    assert.deepEqual(readTree(root), before);
  });

  it('a GitHub template without GithubOwner/GithubRepoName defaults asks for --repository (exit 2, nothing written)', async () => {
    const root = repo(chalicePipelineRepo('v2-github', { githubOwner: null, githubRepo: null }));
    const before = readTree(root);
    const result = await run(root);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /missing answer: repository .*--repository/);
    assert.deepEqual(readTree(root), before);
    succeeded(await run(root, ['--repository', 'acme/orders-api']));
    assert.equal(template(root).Parameters.RepositoryId.Default, 'acme/orders-api');
  });
});

describe('where and when chalice-pipeline pipeline runs', () => {
  it('from a subfolder (chalicelib/) writes at the repository root', async () => {
    const root = repo(newProjectRepo());
    const original = readTree(root);
    const result = await run(root, [], join(root, 'chalicelib'));
    succeeded(result);
    assert.match(result.stdout, /^create {4}\.\.\/pipeline\.json$/m);
    const { added } = diff(original, readTree(root));
    assert.deepEqual(added, PIPELINE_FILES);
  });

  it('outside a Chalice repository: exit 2, a clear message, nothing written', async () => {
    const outside = repo({ 'notes.txt': 'not a chalice repo\n' });
    // Another generator's .yo-rc.json is no Chalice repository root either.
    writeFileSync(join(outside, '.yo-rc.json'), '{"generator-jhipster": {"baseName": "shop"}}\n');
    mkdirSync(join(outside, 'src'));
    const before = readTree(outside);
    for (const cwd of [outside, join(outside, 'src')]) {
      const result = await run(outside, [], cwd);
      assert.equal(result.status, 2, result.stdout);
      assert.match(result.stderr, /not inside a Chalice repository: no \.chalice\/config\.json in .* or any folder above it/);
      assert.deepEqual(readTree(outside), before);
    }
  });

  it('adds tests/integration/ only when absent: the user\'s own folder is kept as it is', async () => {
    const theirs = { 'tests/integration/conftest.py': '# our own fixtures\n', 'tests/integration/test_smoke.py': 'def test_smoke():\n    pass\n' };
    const root = repo({ ...newProjectRepo(), ...theirs });
    const original = readTree(root);
    const result = await run(root);
    succeeded(result);
    assert.ok(result.stdout.includes('note: tests/integration/ is yours: kept as it is, tests/integration/conftest.py, tests/integration/test_endpoint.py not added'), result.stdout);
    const { added, changed } = diff(original, readTree(root));
    assert.deepEqual(added, PIPELINE_FILES.filter((path) => !path.startsWith('tests/integration/')));
    assert.deepEqual(changed, ['.chalice/config.json', '.gitignore']);
    assert.match((await run(root)).stdout, /up to date/);
  });

  it('tests/integration/ we created stays ours when the user adds a test to it', async () => {
    const root = repo(newProjectRepo());
    succeeded(await run(root));
    writeFileSync(join(root, 'tests/integration/test_orders.py'), 'def test_orders(endpoint_url):\n    assert endpoint_url\n');
    const before = readTree(root);
    const again = await run(root);
    succeeded(again);
    assert.match(again.stdout, /up to date/);
    assert.deepEqual(readTree(root), before);
  });

  it('a changed answer (--no-integration-tests) changes only pipeline.json, the Makefile, PIPELINE.md (its guide) and .yo-rc.json', async () => {
    const root = repo(newProjectRepo());
    succeeded(await run(root));
    const before = readTree(root);
    const result = await run(root, ['--no-integration-tests']);
    succeeded(result);
    const after = readTree(root);
    // Files the old answers wanted stay on disk (we never delete): buildspec-integration.yml, tests/integration/.
    assert.deepEqual(diff(before, after), { added: [], changed: ['.yo-rc.json', 'Makefile', 'PIPELINE.md', 'pipeline.json'], removed: [] });
    assert.equal(saved(root).integrationTests, false);
    assert.equal(template(root).Resources.IntegrationTestBuild, undefined);
    assert.doesNotMatch(after.get('Makefile')!, /^integration-test:/m);
    assert.match(result.stdout, /^note: no longer used by the pipeline, kept: buildspec-integration\.yml, tests\/integration\/conftest\.py, tests\/integration\/test_endpoint\.py/m);
  });

  it('a user-edited buildspec.yml without a terminal: exit 3 naming it and --force, nothing written; --force overwrites it', async () => {
    const root = repo(newProjectRepo());
    succeeded(await run(root));
    const generated = readFileSync(join(root, 'buildspec.yml'), 'utf8');
    writeFileSync(join(root, 'buildspec.yml'), `${generated}# my change\n`);
    const before = readTree(root);
    const refused = await run(root, ['--branch', 'release']);
    assert.equal(refused.status, 3, refused.stdout);
    assert.match(refused.stderr, /buildspec\.yml: changed since it was generated.*--force/);
    assert.deepEqual(readTree(root), before);

    const forced = await run(root, ['--branch', 'release', '--force']);
    succeeded(forced);
    const after = readTree(root);
    assert.equal(after.get('buildspec.yml'), generated);
    assert.deepEqual(diff(before, after).changed, ['.yo-rc.json', 'Makefile', 'PIPELINE.md', 'buildspec.yml', 'pipeline.json']);
    assert.equal(saved(root).branch, 'release');
  });
});

describe('merge rules (unit)', () => {
  it('userTargets skips assignments (::=, :::=, !=), define bodies, recipes and continuation lines', async () => {
    const text = [
      'A ::= 1', 'B :::= 2', 'C != date', 'export D := 3', 'override E += x',
      'define RECIPE', 'deploy: not-a-rule', 'endef',
      'OBJS = a \\', ' test: b', '',
      'build/app.zip: app.py', '\tzip -r build/app.zip app.py', 'lint fmt:: ; @true', 'deploy: STAGE = prod', '',
    ].join('\n');
    assert.deepEqual([...userTargets(text)].sort(), ['build/app.zip', 'deploy', 'fmt', 'lint']);
  });

  it('renames our variables that the user defines or reads, inside our block only', async () => {
    const user = 'STACK = my-app\nrelease:\n\taws cloudformation deploy --stack-name $(STACK) --region $(REGION)\n';
    const block = `${MAKE_BLOCK_START}\nREGION ?= us-east-1\nSTACK ?= x-pipeline\nBRANCH ?= main\nd:\n\tdeploy $(REGION) $(STACK) $(BRANCH)\n${MAKE_BLOCK_END}\n`;
    assert.deepEqual([...renamedVariables(user, block)], [['REGION', 'PIPELINE_REGION'], ['STACK', 'PIPELINE_STACK']]);
    const merged = mergeMakefile(user, block);
    assert.equal(merged, `${user}\n${MAKE_BLOCK_START}\nPIPELINE_REGION ?= us-east-1\nPIPELINE_STACK ?= x-pipeline\nBRANCH ?= main\nd:\n\tdeploy $(PIPELINE_REGION) $(PIPELINE_STACK) $(BRANCH)\n${MAKE_BLOCK_END}\n`);
    assert.equal(mergeMakefile(merged, block), merged, 'a re-run gives the same text');
  });

  it('.gitignore: a line without its slash or a covering glob counts as present; CRLF files stay CRLF', async () => {
    assert.ok(gitignoreCovers('.venv', '.venv/'));
    assert.ok(gitignoreCovers('*.py[cod]', '*.pyc'));
    assert.ok(gitignoreCovers('.chalice/*', '.chalice/deployments/'));
    assert.ok(!gitignoreCovers('/build/', 'build/'));
    assert.ok(!gitignoreCovers('# .venv/', '.venv/'));
    assert.equal(appendMissingLines('.venv\r\n*.py[cod]\r\n', ['.venv/', '*.pyc', 'build/'], gitignoreCovers), '.venv\r\n*.py[cod]\r\nbuild/\r\n');
  });

  it('the repository root is the nearest folder with .chalice/config.json or our .yo-rc.json', async () => {
    const files = new Map([
      ['/r/.chalice/config.json', '{}'],
      ['/r/sub/.yo-rc.json', '{"generator-jhipster": {}}'],
      ['/o/.yo-rc.json', '{"generator-chalice-pipeline": {"appName": "orders"}}'],
    ]);
    const exists = (path: string) => files.has(path);
    const read = (path: string) => files.get(path);
    assert.equal(findRepositoryRoot('/r/sub/deeper', exists, read), '/r');
    assert.equal(findRepositoryRoot('/o/chalicelib', exists, read), '/o');
    assert.throws(() => findRepositoryRoot('/elsewhere', exists, read), /not inside a Chalice repository/);
  });
});

describe('yo chalice-pipeline:pipeline through yeoman-test', () => {
  it('merges the stages into a config.json given only in memory', async () => {
    const result = await helpers
      .run(PIPELINE_GENERATOR)
      .withFiles(extraStagesRepo('shop'))
      .withOptions({ defaults: true, 'skip-git': true, skipInstall: true } as never);
    const text = readFileSync(join(result.cwd, '.chalice', 'config.json'), 'utf8');
    const expected = { ...EXTRA_STAGES_CONFIG, app_name: 'shop', stages: { ...EXTRA_STAGES_CONFIG.stages, beta: stage('beta'), prod: stage('prod') } };
    assert.equal(text, `${JSON.stringify(expected, null, 4)}\n`);
    assert.equal(saved(result.cwd).appName, 'shop');
  });
});

describe('a buildspec.yml the generator did not write', () => {
  const CHALICE_BUILDSPEC = [
    'version: 0.2', 'phases:', '  install:', '    runtime-versions:', '      python: 3.x', '    commands:',
    '      - pip install -r requirements.txt', '  build:', '    commands:', '      - chalice package /tmp/packaged',
    '      - aws cloudformation package --template-file /tmp/packaged/sam.json --s3-bucket ${APP_S3_BUCKET} --output-template-file transformed.yaml',
    'artifacts:', '  type: zip', '  files:', '    - transformed.yaml', '',
  ].join('\n');

  it('from `chalice generate-pipeline -b` beside its pipeline.json: upgraded with the template, no conflict', async () => {
    const root = repo({ ...chalicePipelineRepo('v2-codecommit'), 'buildspec.yml': CHALICE_BUILDSPEC });
    const result = await run(root);
    succeeded(result);
    assert.match(result.stdout, /^update +buildspec\.yml$/m);
    assert.match(readFileSync(join(root, 'buildspec.yml'), 'utf8'), /--junitxml=reports\/unit-tests\.xml/);
  });

  it('of the user\'s own: exit 3, saying it was not written by chalice-pipeline, nothing written', async () => {
    const root = repo({ ...newProjectRepo('own'), 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - make mine\n' });
    const before = readTree(root);
    const result = await run(root);
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /buildspec\.yml: already exists and was not written by chalice-pipeline; not overwritten: rename yours, or pass --force/);
    assert.deepEqual(readTree(root), before);
  });
});

describe('upgrade details', () => {
  it('new stages start as copies of dev when a chalice pipeline is upgraded (its beta stack ran with dev settings)', async () => {
    const files = chalicePipelineRepo('v2-codecommit');
    const config = { version: '2.0', app_name: 'orders', stages: { dev: { api_gateway_stage: 'api', environment_variables: { TABLE: 'orders-dev' }, lambda_memory_size: 256 } } };
    const root = repo({ ...files, '.chalice/config.json': `${JSON.stringify(config, null, 2)}\n` });
    const result = await run(root);
    succeeded(result);
    assert.match(result.stdout, /^ {2}stages +beta, prod added to \.chalice\/config\.json as copies of dev/m);
    const merged = JSON.parse(readFileSync(join(root, '.chalice', 'config.json'), 'utf8'));
    assert.deepEqual(merged.stages.dev, config.stages.dev);
    for (const stage of ['beta', 'prod']) {
      assert.deepEqual(merged.stages[stage], { api_gateway_stage: 'api', environment_variables: { TABLE: 'orders-dev', STAGE: stage }, lambda_memory_size: 256 });
    }
  });

  for (const [name, text] of [['null', 'null\n'], ['a list of stages', '{"app_name": "orders", "stages": [1, 2]}\n']]) {
    it(`a config.json that is ${name}: exit 2 with what Chalice expects, nothing written`, async () => {
      const root = repo({ ...newProjectRepo('orders'), '.chalice/config.json': text });
      const before = readTree(root);
      const result = await run(root);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /^error: \.chalice\/config\.json must be an object whose "stages" is an object of stage objects/m);
      assert.deepEqual(readTree(root), before);
    });
  }
});

describe('warnings before writing', () => {
  it('an old chalice pin is named; unit tests in a subfolder of tests/ count as unit tests', async () => {
    const files = { ...newProjectRepo('old'), 'requirements-dev.txt': 'chalice==1.27.3\npytest\n', 'tests/unit/test_routes.py': 'def test_x():\n    pass\n' };
    delete (files as Record<string, string>)['tests/test_app.py'];
    const result = await run(repo(files), ['--dry-run']);
    succeeded(result);
    assert.match(result.stdout, /^warning: chalice==1\.27\.3 is older than Chalice 1\.33/m);
    assert.doesNotMatch(result.stdout, /has no unit tests/);
  });

  it('a repository without unit tests is told the Build stage will fail until it has some', async () => {
    const files = { ...newProjectRepo('bare') };
    delete (files as Record<string, string>)['tests/test_app.py'];
    const result = await run(repo(files), ['--dry-run']);
    succeeded(result);
    assert.match(result.stdout, /^warning: unitTests is on but tests\/ has no unit tests yet/m);
  });

  it('a canary production for an app without routes is told the alias step will fail; AllAtOnce is not', async () => {
    const files = { ...newProjectRepo('events'), 'app.py': "from chalice import Chalice, Rate\n\napp = Chalice(app_name='events')\n\n\n@app.schedule(Rate(1, unit=Rate.HOURS))\ndef tick(event):\n    pass\n" };
    const canary = await run(repo(files), ['--dry-run', '--prod-deployment', 'Canary10Percent5Minutes', '--no-integration-tests', '--no-manual-approval']);
    succeeded(canary);
    assert.match(canary.stdout, /^warning: app\.py defines no @app\.route: prodDeployment Canary10Percent5Minutes shifts the REST handler's traffic/m);
    const allAtOnce = await run(repo(files), ['--dry-run', '--no-integration-tests', '--no-manual-approval']);
    assert.doesNotMatch(allAtOnce.stdout, /prodDeployment/);
  });
});
