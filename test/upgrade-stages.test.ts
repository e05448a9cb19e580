// No churn: for every two-stage answer set of the suite, what this code generates keeps every logical ID with its
// type, every name, every parameter with its default, every output, and the pipeline's stages and actions, as the
// code before the stage list generated them (test/fixtures/two-stage-before.json, written once at commit 2399b7f).
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { removedStages, stackPlan } from '../lib/repository/existing.js';
import { repositoryIdentity, twoStageAnswerSets, type RepositoryIdentity, type TemplateIdentity } from './support/identities.js';
import { PACKAGE_ROOT, newRepositoryFiles, readTree, runCliInProcess, tempDir } from './support/tools.js';

const BEFORE = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'test', 'fixtures', 'two-stage-before.json'), 'utf8')) as Record<string, RepositoryIdentity>;

/**
 * What `after` removed or renamed of `before` (additions are allowed), as lines naming each. A pipeline stage whose
 * actions moved into a stage that was already there, for a reason the stack plan states (removedStages), is the one
 * documented exception; `moves` collects those.
 */
export function removals(before: RepositoryIdentity, after: RepositoryIdentity, moves: string[] = []): string[] {
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
    const moved = removedStages(old.pipelineStages ?? [], stages).filter((gone) => gone.movedInto && gone.why);
    moves.push(...moved.map((gone) => `${gone.stage} -> ${gone.movedInto}`));
    let at = 0;
    for (const stage of old.pipelineStages ?? []) {
      if (moved.some((gone) => gone.stage === stage.name)) continue;
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
  it(`every two-stage answer set (${Object.keys(BEFORE).length}) keeps what the code before the stage list generated, and its compact pipeline.json fits inline with 3 % to spare`, () => {
    const sets = twoStageAnswerSets();
    assert.deepEqual(Object.keys(sets), Object.keys(BEFORE), 'the answer sets are the ones the fixture was made from');
    const moves: string[] = [];
    let largest = { name: '', bytes: 0 };
    const lost = Object.entries(sets).flatMap(([name, answers]) => {
      const files = newRepositoryFiles(answers);
      // As make deploy sends it: the compact copy (aws cloudformation deploy takes at most 51,200 bytes inline).
      const bytes = Buffer.byteLength(JSON.stringify(JSON.parse(files.get('pipeline.json')!)));
      if (bytes > largest.bytes) largest = { name, bytes };
      return removals(BEFORE[name], repositoryIdentity(files), moves).map((line) => `${name}: ${line}`);
    });
    assert.ok(largest.bytes < 51_200 * 0.97, `${largest.name}: compact pipeline.json is ${largest.bytes} bytes, over 97 % of the 51,200-byte inline limit`);
    assert.deepEqual(lost.slice(0, 30), []);
    // The one documented move (issue 20): the Approval stage folded into Prod, for every set with an approval.
    assert.deepEqual([...new Set(moves)], ['Approval -> Prod']);
    assert.equal(moves.length, Object.values(BEFORE).filter((set) => set.templates['pipeline.json'].pipelineStages!.some((stage) => stage.name === 'Approval')).length);
  });

  it('a stage removed, or renamed with its actions, is named; only a move into a stage already there passes', () => {
    const before = [{ name: 'Beta', actions: ['CreateBetaChangeSet'] }, { name: 'Approval', actions: ['ApproveRelease'] }, { name: 'Prod', actions: ['CreateProdChangeSet'] }];
    assert.deepEqual(removedStages(before, [before[0], before[2]]), [{ stage: 'Approval' }]);
    assert.deepEqual(removedStages(before, [before[0], { name: 'Gate', actions: ['ApproveRelease'] }, before[2]]), [{ stage: 'Approval' }]);
    assert.deepEqual(removedStages(before, [before[0], { name: 'Prod', actions: ['CreateProdChangeSet', 'ApproveRelease'] }]).map((gone) => gone.movedInto), ['Prod']);
    const renamedTests = [{ name: 'Tests', actions: ['IntegrationTests'] }];
    assert.deepEqual(removedStages([{ name: 'IntegrationTests', actions: ['IntegrationTests'] }], renamedTests), [{ stage: 'IntegrationTests' }]);
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
    const moves: string[] = [];
    assert.deepEqual(removals(repositoryIdentity(before), repositoryIdentity(after), moves), []);
    assert.deepEqual(moves, ['Approval -> Prod']);
    const pipeline = repositoryIdentity(after).templates['pipeline.json'];
    // approveBroadening (default on) gates Dev and Beta: additions before them.
    assert.deepEqual(pipeline.pipelineStages!.map((stage) => stage.name), ['Source', 'Build', 'ReviewDev', 'ApproveDevBroadening', 'Dev', 'ReviewBeta', 'ApproveBetaBroadening', 'Beta', 'IntegrationTests', 'Prod']);
    // The stack plan says it: the Approval stage moved into Prod, and why.
    const plan = stackPlan(before.get('pipeline.json')!, JSON.parse(after.get('pipeline.json')!), 'ordersPipeline');
    assert.ok(plan.some((line) => /^ {2}moves stage Approval into Prod \(its actions keep their names\): the approval now runs inside the stage it approves/.test(line)), plan.join('\n'));
    assert.ok(!plan.some((line) => line.startsWith('  removes stage')), plan.join('\n'));
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
