// The docs a team needs, in the repository: the new app's README and an existing app's PIPELINE.md (prerequisites,
// first deploy in order, approving, rolling back, the monthly cost computed from the answers, the connection,
// teardown), and `make destroy` that asks first and deletes the app stacks before the pipeline.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { monthlyCost, shiftMinutes } from '../lib/repository/cost.js';
import { guideMarkdown } from '../lib/repository/guide.js';
import { MAKE_TARGETS, type MakeTargets } from '../lib/repository/makefile.js';
import { STAGES_EXAMPLE, newRepositoryFiles, projectFor, readTree, repositoryWithFakeAws, runCliInProcess, tempDir, writeTree } from './support/tools.js';

const QUIET = ['--skip-install', '--skip-git'];
const amount = (estimate: ReturnType<typeof monthlyCost>, item: RegExp) => estimate.lines.find((line) => item.test(line.item))?.amount;

describe('the monthly cost estimate, checked by hand', () => {
  it('defaults (V2, CodeCommit, both test stages, production, approval), 20 releases', () => {
    const estimate = monthlyCost(projectFor({}), 20);
    // Action minutes per release: source 1 + build 4 + integration tests 2 + beta 3 + prod 3 = 13 (approval not billed).
    assert.equal(amount(estimate, /CodePipeline V2/), 0.52); // 20 x 13 = 260 min x $0.002
    assert.equal(amount(estimate, /CodeBuild/), 0.6); // 20 x (4 + 2) = 120 min x $0.005
    assert.equal(amount(estimate, /KMS/), 0); // S3-managed encryption: no key
    // S3: 20 x (3 x 10 MB + 12 x 2 MB x 2 stages) = 1560 MB = 1.523 GB x $0.023 = $0.035, + 1000 requests x $0.005/1000.
    assert.equal(amount(estimate, /S3/), 0.04);
    assert.equal(estimate.total, 1.16);
  });

  it('the three-stage example with a two-region canary wave, 20 releases: every target billed', () => {
    const estimate = monthlyCost(projectFor({ stages: STAGES_EXAMPLE, selfUpdate: false } as never), 20);
    // Action minutes: source 1 + build 4 + staging's tests 2 + deploys 3 x 4 targets (dev, staging, prod x 2)
    // + the canary's 5 min on each prod target = 29.
    assert.equal(amount(estimate, /CodePipeline V2/), 1.16); // 20 x 29 = 580 min x $0.002
    assert.equal(amount(estimate, /CodeBuild/), 0.6); // 20 x (4 + 2) = 120 min x $0.005
    assert.equal(amount(estimate, /alarms/), 0.4); // 2 alarms on each of the 2 shifting targets x $0.10
    // S3: 20 x (3 x 10 MB + 12 x 2 MB x 3 stages) = 2040 MB = 1.99 GB x $0.023 = $0.046, + 1000 requests = $0.005.
    assert.equal(amount(estimate, /S3/), 0.05);
    assert.match(estimate.assumptions.join('\n'), /3 min per deploy \(4\) plus 10 min of traffic shifting/);
  });

  it('the guide of the three-stage example names its stages, stacks and accounts once each', () => {
    const plainTargets = Object.fromEntries(MAKE_TARGETS.map((name) => [name, name])) as MakeTargets;
    const guide = guideMarkdown(projectFor({ stages: STAGES_EXAMPLE } as never), plainTargets);
    assert.match(guide, /ordersDevStack, ordersStagingStack, ordersProdStack/);
    assert.match(guide, /prod waits at the `Approval` stage/);
    assert.match(guide, /look at the stage before \(staging/);
    assert.equal(guide.match(/STAGE=staging PIPELINE_ACCOUNT_ID/g)?.length, 1);
    assert.equal(guide.match(/STAGE=prod PIPELINE_ACCOUNT_ID/g)?.length, 1); // both prod regions are in one account
    assert.match(guide, /Stop a canary/);
  });

  it('V1, GitHub, self-update, canary production in another account, 40 releases', () => {
    const estimate = monthlyCost(projectFor({
      pipelineType: 'V1', source: 'github', repository: 'acme/orders', selfUpdate: true,
      prodDeployment: 'Canary10Percent5Minutes', prodAccountId: '222222222222',
    }), 40);
    assert.equal(amount(estimate, /CodePipeline V1/), 1); // one active pipeline, whatever the minutes
    assert.equal(amount(estimate, /CodeBuild/), 1.2); // 40 x 6 = 240 min x $0.005
    assert.equal(amount(estimate, /KMS/), 1); // the artifact key another account may use
    assert.equal(amount(estimate, /S3/), 0.08); // 40 x 78 MB = 3.05 GB x $0.023 = $0.070, + 2000 requests = $0.010
    assert.equal(amount(estimate, /alarms/), 0.2); // 2 alarms x $0.10
    assert.equal(estimate.total, 3.48);
    assert.match(estimate.assumptions.join('\n'), /plus 5 min of traffic shifting, 1 min of self-update/);
    assert.match(estimate.assumptions.join('\n'), /list prices in us-east-1 on \d{4}-\d{2}-\d{2}/);
  });

  it('traffic shifting adds the shift to the prod deploy (V2 minutes)', () => {
    assert.equal(shiftMinutes('Linear10PercentEvery3Minutes'), 30);
    assert.equal(shiftMinutes('AllAtOnce'), 0);
    const allAtOnce = monthlyCost(projectFor({}), 10);
    const linear = monthlyCost(projectFor({ prodDeployment: 'Linear10PercentEvery1Minute' }), 10);
    assert.equal(Math.round((amount(linear, /CodePipeline V2/)! - amount(allAtOnce, /CodePipeline V2/)!) * 1000), 200); // 10 x 10 min x $0.002
  });
});

describe('the guide in the repository', () => {
  const SECTIONS = ['## Before the first deploy', '## First deploy, in order', '## Approving a release', '## Rolling back', '## What it costs', '## Teardown'];

  it('a new app\'s README carries it inside the generated block, the estimate computed from the answers', () => {
    const readme = newRepositoryFiles({ source: 'github', repository: 'acme/orders', pipelineType: 'V1' }).get('README.md')!;
    for (const section of SECTIONS) assert.ok(readme.includes(`\n${section}\n`), section);
    assert.match(readme, /\n## The connection\n[^#]*PENDING again/, 'the connection\'s life');
    assert.match(readme, /\| CodePipeline V1 \| 1 active pipeline \| 1\.00 \|/);
    assert.match(readme, /git revert <commit> && git push/);
    assert.match(readme, /V1 pipeline always takes the branch head/);
    assert.ok(readme.indexOf('## Teardown') < readme.indexOf('<<< chalice-pipeline <<<'), 'inside the block re-runs keep current');
    assert.doesNotMatch(newRepositoryFiles({ production: false }).get('README.md')!, /## Approving a release/);
  });

  it('an existing app gets PIPELINE.md (its README untouched); a team\'s own PIPELINE.md keeps its lines; re-runs change nothing', async () => {
    const root = tempDir();
    writeTree(root, {
      '.chalice/config.json': '{"version": "2.0", "app_name": "shop", "stages": {"dev": {}}}\n',
      'app.py': "from chalice import Chalice\napp = Chalice(app_name='shop')\n\n\n@app.route('/')\ndef index():\n    return {}\n",
      'tests/test_app.py': 'def test_x():\n    pass\n',
      'README.md': '# Shop\n',
    });
    const first = await runCliInProcess(['pipeline', '--defaults', ...QUIET], root);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^create +PIPELINE\.md$/m);
    assert.equal(readFileSync(join(root, 'README.md'), 'utf8'), '# Shop\n');
    const doc = readFileSync(join(root, 'PIPELINE.md'), 'utf8');
    assert.match(doc, /^# Release pipeline of shop\n/);
    for (const section of ['## The pipeline', ...SECTIONS]) assert.ok(doc.includes(`\n${section}\n`), section);
    const again = await runCliInProcess(['pipeline', '--defaults', ...QUIET], root);
    assert.match(again.stdout, /up to date/);

    const team = tempDir();
    writeTree(team, { ...Object.fromEntries(readTree(root)), 'PIPELINE.md': '# Our release notes\n\nAsk Kim first.\n', '.yo-rc.json': '{}\n' });
    const merged = await runCliInProcess(['pipeline', '--defaults', ...QUIET], team);
    assert.equal(merged.status, 0, merged.stderr);
    const theirs = readFileSync(join(team, 'PIPELINE.md'), 'utf8');
    assert.match(theirs, /^# Our release notes\n\nAsk Kim first\.\n\n<!-- >>> chalice-pipeline/);
    assert.ok(theirs.includes('\n## What it costs\n'));
  });
});

describe('make destroy', () => {
  const make = repositoryWithFakeAws({}, {});

  it('asks first: without an answer (or CONFIRM=yes) nothing is deleted', () => {
    const refused = make(['destroy']);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stdout, /Delete the app stacks \(ordersBetaStack, ordersProdStack: their APIs and functions\), then the pipeline stack orders-pipeline/);
    assert.match(refused.stdout, /nothing deleted \(CONFIRM=yes deletes without asking\)/);
    assert.equal(refused.aws, '');
  });

  it('CONFIRM=yes deletes the app stacks first, then the pipeline stack', () => {
    const done = make(['destroy', 'CONFIRM=yes']);
    assert.equal(done.status, 0, done.stderr);
    const deletes = done.aws.split('\n').filter((line) => line.startsWith('cloudformation delete-stack')).map((line) => /--stack-name (\S+)/.exec(line)![1]);
    assert.deepEqual(deletes, ['ordersBetaStack', 'ordersProdStack', 'orders-pipeline']);
  });
});
