// --dry-run --diff (and --diff on a real run): a unified diff per changed file, merges into the team's files
// included, the stack plan whenever pipeline.json changes, and the same status words on the bin and Yeoman routes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { BIN, readTree, runCli, runCliInProcess, tempDir } from './support/tools.js';

const QUIET = ['--skip-install', '--skip-git'];

describe('--diff', () => {
  let root: string;
  before(async () => {
    const cwd = tempDir();
    assert.equal((await runCliInProcess(['--app-name', 'orders', '--defaults', ...QUIET], cwd)).status, 0);
    root = join(cwd, 'orders');
    // The team's own target below the block: the merge keeps it, the diff shows only our part changing.
    writeFileSync(join(root, 'Makefile'), `${readFileSync(join(root, 'Makefile'), 'utf8')}team-check:\n\truff check .\n`);
  });

  it('--dry-run --diff: a unified diff per file (the Makefile merge too) and the stack plan; nothing written', async () => {
    const before = readTree(root);
    const result = await runCliInProcess(['pipeline', '--pipeline-type', 'V1', '--branch', 'release', '--dry-run', '--diff', ...QUIET], root);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readTree(root), before);
    assert.match(result.stdout, /^merge {5}Makefile\n--- a\/Makefile\n\+\+\+ b\/Makefile\n@@ -\d+,\d+ \+\d+,\d+ @@\n/m);
    assert.match(result.stdout, /^-BRANCH \?= main\n\+BRANCH \?= release$/m);
    assert.doesNotMatch(result.stdout, /^[-+]team-check:/m, 'the team\'s lines do not change');
    assert.match(result.stdout, /^update {4}pipeline\.json\n--- a\/pipeline\.json\n\+\+\+ b\/pipeline\.json\n/m);
    assert.match(result.stdout, /^-\s+"PipelineType": "V2",?\n\+\s+"PipelineType": "V1",?$/m);
    // The deployment type changed: the stack plan says what make deploy does to the stack.
    assert.match(result.stdout, /^stack plan of orders-pipeline \(make deploy, from pipeline\.json as it is on disk\):\n {2}adds {5}\(none\)\n {2}changes {2}.*\bAppPipeline\b/m);
    assert.match(result.stdout, /^ {2}parameters BranchName main -> release$/m);
    assert.match(result.stdout, /^identical buildspec-integration\.yml$/m);
    assert.doesNotMatch(result.stdout, /--- a\/buildspec-integration\.yml/, 'no diff for an identical file');
  });

  it('without --diff the stack plan is printed all the same; --diff on a real run shows the diff and writes', async () => {
    const plain = await runCliInProcess(['pipeline', '--pipeline-type', 'V1', '--dry-run', ...QUIET], root);
    assert.match(plain.stdout, /^stack plan of orders-pipeline/m);
    assert.doesNotMatch(plain.stdout, /^--- a\//m);
    const real = await runCliInProcess(['pipeline', '--pipeline-type', 'V1', '--diff', ...QUIET], root);
    assert.equal(real.status, 0, real.stderr);
    assert.match(real.stdout, /^\+\s+"PipelineType": "V1",?$/m);
    assert.match(readFileSync(join(root, 'pipeline.json'), 'utf8'), /"PipelineType": "V1"/);
  });

  it('the status words and diffs are the same through the bin and through Yeoman\'s runtime', () => {
    const args = ['pipeline', '--region', 'eu-west-1', '--dry-run', '--diff', ...QUIET];
    const bin = runCli(args, root);
    // Yeoman's runtime takes seconds to load on a busy machine: a longer timeout than runCli's.
    const yeoman = spawnSync(process.execPath, [BIN, ...args], {
      cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', CHALICE_PIPELINE_RUNTIME: 'yeoman' },
    });
    assert.equal(bin.status, 0, bin.stderr);
    assert.equal(yeoman.status, 0, yeoman.stderr);
    const fileLines = (output: string) => output.split('\n').filter((line) => /^(create|update|merge|identical|keep|conflict) +\S/.test(line) || /^[-+@]/.test(line));
    assert.ok(fileLines(bin.stdout).some((line) => line.startsWith('merge ')));
    assert.deepEqual(fileLines(`${yeoman.stdout}${yeoman.stderr}`), fileLines(bin.stdout));
  });
});
