// The app generator run through yeoman-test (as `yo chalice-pipeline` runs it) and through the bin's two
// runtimes: all three must write the same repository, byte for byte.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import helpers from 'yeoman-test';
import { PACKAGE_ROOT, answersMatrix, newRepositoryFiles, readTree, runCli, tempDir } from './support/tools.js';

const APP = join(PACKAGE_ROOT, 'dist', 'generators', 'app', 'index.js');
const QUIET = { 'skip-git': true, skipInstall: true };

describe('yo chalice-pipeline (app) with prompts answered', () => {
  it('writes the repository into ./<appName> from the prompt answers', async () => {
    const result = await helpers.run(APP).withAnswers({ appName: 'shop', region: 'eu-central-1', approvalEmail: '' }).withOptions(QUIET as never);
    const root = join(result.cwd, 'shop');
    assert.ok(existsSync(join(root, 'app.py')));
    const config = JSON.parse(readFileSync(join(root, '.chalice', 'config.json'), 'utf8'));
    assert.equal(config.app_name, 'shop');
    assert.deepEqual(Object.keys(config.stages), ['dev', 'beta', 'prod']);
    const saved = JSON.parse(readFileSync(join(root, '.yo-rc.json'), 'utf8'))['generator-chalice-pipeline'];
    assert.equal(saved.region, 'eu-central-1');
    assert.equal(saved.approvalEmail, undefined);
    const template = JSON.parse(readFileSync(join(root, 'pipeline.json'), 'utf8'));
    assert.equal(template.Parameters.ApplicationName.Default, 'shop');
    assert.deepEqual(template.Resources.AppPipeline.Properties.Stages.map((s: { Name: string }) => s.Name), ['Source', 'Build', 'ReviewBeta', 'ApproveBetaBroadening', 'Beta', 'IntegrationTests', 'Prod']);
  });

  it('asks later questions with defaults that follow earlier answers', async () => {
    const result = await helpers.run(APP).withAnswers({ appName: 'billing', customise: true, production: false }).withOptions(QUIET as never);
    const saved = JSON.parse(readFileSync(join(result.cwd, 'billing', '.yo-rc.json'), 'utf8'))['generator-chalice-pipeline'];
    assert.equal(saved.repository, 'billing');
    assert.equal(saved.pipelineStackName, 'billing-pipeline');
    assert.equal(saved.production, false);
    assert.equal(saved.manualApproval, false, 'no approval without production');
    const template = JSON.parse(readFileSync(join(result.cwd, 'billing', 'pipeline.json'), 'utf8'));
    assert.equal(template.Resources.AppPipeline.Properties.Stages.at(-1).Name, 'IntegrationTests');
  });

  it('a prompt answer that breaks a rule is refused with the rule', async () => {
    await assert.rejects(
      helpers.run(APP).withAnswers({ appName: 'bad_name' }).withOptions(QUIET as never),
      /appName "bad_name" is invalid: must start with a letter/,
    );
  });
});

describe('one repository whichever runtime writes it', () => {
  const flags = ['--app-name', 'same', '--region', 'ap-south-1', '--branch', 'trunk', '--approval-email', 'ops@example.com'];

  it('yeoman-test, the bin without Yeoman and the bin through yeoman-environment write identical trees', async () => {
    const viaTest = await helpers.run(APP).withOptions({ ...QUIET, 'app-name': 'same', region: 'ap-south-1', branch: 'trunk', 'approval-email': 'ops@example.com', defaults: true } as never);
    const fast = tempDir();
    assert.equal(runCli([...flags, '--defaults', '--skip-git', '--skip-install'], fast).status, 0);
    const viaYeoman = tempDir();
    const yeomanRun = runCli([...flags, '--defaults', '--skip-git', '--skip-install'], viaYeoman, { CHALICE_PIPELINE_RUNTIME: 'yeoman' });
    assert.equal(yeomanRun.status, 0, yeomanRun.stderr);
    const expected = readTree(join(fast, 'same'));
    assert.ok(expected.size >= 15);
    assert.deepEqual(readTree(join(viaYeoman, 'same')), expected);
    assert.deepEqual(readTree(join(viaTest.cwd, 'same')), expected);
  });
});

describe('a user-edited generated file through Yeoman, without a terminal', () => {
  it('is an error naming the file (exit 3), and nothing is written', () => {
    const cwd = tempDir();
    assert.equal(runCli(['--app-name', 'edited', '--defaults', '--skip-git', '--skip-install'], cwd).status, 0);
    const root = join(cwd, 'edited');
    writeFileSync(join(root, 'buildspec.yml'), `${readFileSync(join(root, 'buildspec.yml'), 'utf8')}# mine\n`);
    const before = readTree(root);
    for (const runtime of ['yeoman', 'fast']) {
      const result = runCli(['--defaults', '--no-production', '--skip-git', '--skip-install'], root, { CHALICE_PIPELINE_RUNTIME: runtime });
      assert.equal(result.status, 3, `${runtime}: ${result.stderr}`);
      assert.match(result.stderr, /buildspec\.yml: changed since it was generated; not overwritten: put your steps in scripts\/pre-build\.sh or scripts\/post-build\.sh .*or pass --force/);
      assert.deepEqual(readTree(root), before, `${runtime} wrote nothing`);
    }
  });
});

describe('the generated README', () => {
  it('draws exactly the stages pipeline.json has, in order, for every answers combination', () => {
    for (const answers of answersMatrix()) {
      const files = newRepositoryFiles(answers);
      const stages = JSON.parse(files.get('pipeline.json')!).Resources.AppPipeline.Properties.Stages.map((s: { Name: string }) => s.Name);
      const mermaid = /```mermaid\n([\s\S]*?)```/.exec(files.get('README.md')!)![1];
      const nodes = [...mermaid.matchAll(/^ {2}(\w+)\["/gm)].map((m) => m[1]);
      assert.deepEqual(nodes, stages, JSON.stringify(answers));
      const edges = [...mermaid.matchAll(/"\] --> (\w+)$/gm)].map((m) => m[1]);
      assert.deepEqual(edges, stages.slice(1), 'each stage points at the next');
      assert.doesNotMatch(mermaid, /&gt;|&lt;|&quot;|&#/, 'no HTML escapes in the diagram');
      for (const [path, contents] of files) assert.doesNotMatch(contents, /&(gt|lt|amp|quot|#\d+);/, `HTML escape in ${path}`);
    }
  });
});
