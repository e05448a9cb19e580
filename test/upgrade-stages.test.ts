// No churn: for every two-stage answer set of the suite, what this code generates keeps every logical ID with its
// type, every name, every parameter with its default, every output, and the pipeline's stages and actions, as the
// code before the stage list generated them (test/fixtures/two-stage-before.json, written once at commit 2399b7f).
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repositoryIdentity, twoStageAnswerSets, type RepositoryIdentity, type TemplateIdentity } from './support/identities.js';
import { PACKAGE_ROOT, newRepositoryFiles, readTree, runCliInProcess, tempDir } from './support/tools.js';

const BEFORE = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'test', 'fixtures', 'two-stage-before.json'), 'utf8')) as Record<string, RepositoryIdentity>;

/** What `after` removed or renamed of `before` (additions are allowed), as lines naming each. */
export function removals(before: RepositoryIdentity, after: RepositoryIdentity): string[] {
  const lost: string[] = [];
  const missing = (what: string, old: string[], now: string[]) => {
    for (const entry of old) if (!now.includes(entry)) lost.push(`${what}: ${entry}`);
  };
  missing('file', before.files, after.files);
  missing('Chalice stage', before.chaliceStages, after.chaliceStages);
  for (const [path, old] of Object.entries(before.templates)) {
    const now: TemplateIdentity | undefined = after.templates[path];
    if (!now) {
      lost.push(`template ${path}`);
      continue;
    }
    const entries = (record: Record<string, string>) => Object.entries(record).map(([key, value]) => `${key} ${value}`);
    missing(`${path} parameter`, entries(old.parameters), entries(now.parameters));
    missing(`${path} resource`, entries(old.resources), entries(now.resources));
    missing(`${path} output`, old.outputs, now.outputs);
    // The stages keep their order (others may come between them) and each its actions.
    const stages = now.pipelineStages ?? [];
    let at = 0;
    for (const stage of old.pipelineStages ?? []) {
      const found = stages.findIndex((candidate, index) => index >= at && candidate.name === stage.name);
      if (found === -1) {
        lost.push(`${path} pipeline stage ${stage.name} (or its place after the stages before it)`);
        continue;
      }
      at = found + 1;
      missing(`${path} pipeline stage ${stage.name} action`, stage.actions, stages[found].actions);
    }
  }
  return lost;
}

describe('upgrading replaces nothing deployed', () => {
  it(`every two-stage answer set (${Object.keys(BEFORE).length}) keeps what the code before the stage list generated`, () => {
    const sets = twoStageAnswerSets();
    assert.deepEqual(Object.keys(sets), Object.keys(BEFORE), 'the answer sets are the ones the fixture was made from');
    const lost = Object.entries(sets).flatMap(([name, answers]) =>
      removals(BEFORE[name], repositoryIdentity(newRepositoryFiles(answers))).map((line) => `${name}: ${line}`));
    assert.deepEqual(lost.slice(0, 30), []);
  });

  it('the comparison can fail: a renamed action, a changed default and a lost resource are each named', () => {
    const [name] = Object.keys(BEFORE);
    const before = BEFORE[name];
    const pipeline = before.templates['pipeline.json'];
    const after: RepositoryIdentity = JSON.parse(JSON.stringify(before));
    const changed = after.templates['pipeline.json'];
    changed.parameters.ApplicationName = 'String = "other"';
    delete changed.resources.CodeBuildRole;
    changed.pipelineStages![2].actions[0] = 'Renamed';
    assert.deepEqual(removals(before, after), [
      `pipeline.json parameter: ApplicationName ${pipeline.parameters.ApplicationName}`,
      'pipeline.json resource: CodeBuildRole AWS::IAM::Role',
      `pipeline.json pipeline stage ${pipeline.pipelineStages![2].name} action: ${pipeline.pipelineStages![2].actions[0]}`,
    ]);
  });
});

describe('a repository generated before the stage list, upgraded to dev, beta, prod', () => {
  it('`chalice-pipeline pipeline --stages dev,beta,prod` adds dev and changes none of beta\'s and prod\'s resources', async () => {
    // test/fixtures/two-stage-before-repo: written by the code of commit 2399b7f (prod in 222222222222, canary, approval e-mail).
    const root = tempDir('cp-upgrade-stages-');
    cpSync(join(PACKAGE_ROOT, 'test', 'fixtures', 'two-stage-before-repo'), root, { recursive: true });
    const before = readTree(root);
    const run = await runCliInProcess(['pipeline', '--stages', 'dev,beta,prod', '--skip-install', '--skip-git'], root);
    assert.equal(run.status, 0, run.stderr);
    const after = readTree(root);
    rmSync(root, { recursive: true, force: true });
    assert.deepEqual(removals(repositoryIdentity(before), repositoryIdentity(after)), []);
    const pipeline = repositoryIdentity(after).templates['pipeline.json'];
    assert.deepEqual(pipeline.pipelineStages!.map((stage) => stage.name), ['Source', 'Build', 'Dev', 'Beta', 'IntegrationTests', 'Approval', 'Prod']);
    // Beta and prod kept what the saved two-stage answers said of them; the list is saved instead of those keys.
    const saved = (JSON.parse(after.get('.yo-rc.json')!) as Record<string, Record<string, unknown>>)['generator-chalice-pipeline'];
    assert.deepEqual(saved.stages, [
      { name: 'dev' }, { name: 'beta', tests: true },
      { name: 'prod', account: '222222222222', approval: true, deployment: 'Canary10Percent5Minutes' },
    ]);
    for (const key of ['production', 'manualApproval', 'integrationTests', 'prodAccountId', 'prodDeployment']) assert.ok(!(key in saved), key);
    // dev keeps the settings `chalice deploy` used; the pipeline's dev stack is new (ordersDevStack).
    assert.equal(after.get('.chalice/config.json'), before.get('.chalice/config.json'));
    assert.match(after.get('pipeline.json')!, /\$\{ApplicationName\}DevStack/);
  });
});
