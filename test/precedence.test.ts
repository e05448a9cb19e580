// Where each answer comes from: flags > answers file > .yo-rc.json > defaults ($AWS_REGION, $AWS_DEFAULT_REGION, the
// built-in ones), proven on what the bin writes (.yo-rc.json, pipeline.json parameter defaults, the Makefile).
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_KEY, finishAnswers, mergeAnswers } from '../lib/answers/answers.js';
import { PACKAGE_ROOT, readTree, runCli, tempDir, type CliResult } from './support/tools.js';

const SKIP = ['--skip-install', '--skip-git'];
const GITHUB_YML = join(PACKAGE_ROOT, 'examples', 'answers-github.yml');
const folders: string[] = [];

function folder(): string {
  const path = tempDir('cp-prec-');
  folders.push(path);
  return path;
}

function ok(result: CliResult): CliResult {
  assert.equal(result.status, 0, `exit ${result.status}\n${result.stdout}\n${result.stderr}`);
  return result;
}

interface Generated {
  saved: Record<string, unknown>;
  parameters: Record<string, unknown>;
  stages: string[];
  pipelineType: string;
  makefile: string;
  chaliceStages: string[];
}

function generated(root: string): Generated {
  const saved = JSON.parse(readFileSync(join(root, '.yo-rc.json'), 'utf8'))[CONFIG_KEY] as Record<string, unknown>;
  const template = JSON.parse(readFileSync(join(root, 'pipeline.json'), 'utf8')) as {
    Parameters: Record<string, { Default?: unknown }>;
    Resources: Record<string, { Type: string; Properties: { Stages: { Name: string }[]; PipelineType: string } }>;
  };
  const pipeline = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::CodePipeline::Pipeline')!;
  const config = JSON.parse(readFileSync(join(root, '.chalice', 'config.json'), 'utf8')) as { stages: Record<string, unknown> };
  return {
    saved,
    parameters: Object.fromEntries(Object.entries(template.Parameters).map(([name, parameter]) => [name, parameter.Default])),
    stages: pipeline.Properties.Stages.map((stage) => stage.Name),
    pipelineType: pipeline.Properties.PipelineType,
    makefile: readFileSync(join(root, 'Makefile'), 'utf8'),
    chaliceStages: Object.keys(config.stages),
  };
}

const makeVariable = (makefile: string, name: string) => new RegExp(`^${name} \\?= (.*)$`, 'm').exec(makefile)?.[1];

after(() => {
  for (const path of folders) rmSync(path, { recursive: true, force: true });
});

describe('precedence: flags > answers file > .yo-rc.json > defaults', () => {
  it('a flag beats the answers file (region, branch), the file beats the defaults', () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'answers.json'), JSON.stringify({ appName: 'orders', region: 'eu-west-1', branch: 'develop', pipelineType: 'V1' }));
    ok(runCli(['--answers', 'answers.json', '--region', 'us-west-2', '--branch', 'release', ...SKIP], cwd));
    const out = generated(join(cwd, 'orders'));
    assert.equal(out.saved.region, 'us-west-2');
    assert.equal(makeVariable(out.makefile, 'REGION'), 'us-west-2');
    assert.equal(out.saved.branch, 'release');
    assert.equal(out.parameters.BranchName, 'release');
    // From the file, no flag: the file wins over the default V2.
    assert.equal(out.saved.pipelineType, 'V1');
    assert.equal(out.pipelineType, 'V1');
    // Nobody said: the defaults.
    assert.equal(out.saved.pythonVersion, '3.13');
    assert.equal(out.saved.pipelineStackName, 'orders-pipeline');
    assert.equal(out.parameters.RepositoryName, 'orders');
    assert.equal(out.parameters.CodeBuildImage, 'aws/codebuild/amazonlinux-x86_64-standard:5.0');
  });

  it('inside the generated repository: .yo-rc.json beats the defaults, the file beats .yo-rc.json, flags beat both', () => {
    const cwd = folder();
    ok(runCli(['--app-name', 'orders', '--region', 'ap-south-1', '--branch', 'saved', '--codebuild-image', 'aws/codebuild/standard:7.0', '--python-version', '3.12', '--no-integration-tests', ...SKIP], cwd));
    const root = join(cwd, 'orders');
    writeFileSync(join(cwd, 'answers.yml'), 'branch: from-file\nregion: eu-west-1\n');
    // AWS_REGION is a default: the saved region must still win over it where no file or flag names one.
    ok(runCli(['--answers', join(cwd, 'answers.yml'), '--region', 'ca-central-1', ...SKIP], root, { AWS_REGION: 'eu-north-1' }));
    const out = generated(root);
    assert.equal(out.saved.region, 'ca-central-1', 'flag > file > saved');
    assert.equal(out.saved.branch, 'from-file', 'file > saved');
    assert.equal(out.parameters.BranchName, 'from-file');
    assert.equal(out.saved.codebuildImage, 'aws/codebuild/standard:7.0', 'saved > default');
    assert.equal(out.parameters.CodeBuildImage, 'aws/codebuild/standard:7.0');
    assert.equal(out.saved.pythonVersion, '3.12', 'saved > default');
    assert.equal(out.saved.integrationTests, false, 'saved boolean false is kept');
    assert.ok(!out.stages.includes('IntegrationTests'), out.stages.join(', '));

    ok(runCli([...SKIP], root, { AWS_REGION: 'eu-north-1' }));
    assert.equal(generated(root).saved.region, 'ca-central-1', 'the saved region beats $AWS_REGION');
  });

  it('re-running inside the generated repository with no flags takes the saved answers and changes nothing', () => {
    const cwd = folder();
    ok(runCli(['--answers', GITHUB_YML, ...SKIP], cwd));
    const root = join(cwd, 'payments');
    const before = readTree(root);
    const again = ok(runCli([...SKIP], root));
    assert.match(again.stdout, /up to date/);
    assert.deepEqual(readTree(root), before);
  });

  it('`chalice-pipeline pipeline` from a sub-folder of a generated repository changes nothing either', () => {
    const cwd = folder();
    ok(runCli(['--answers', GITHUB_YML, ...SKIP], cwd));
    const root = join(cwd, 'payments');
    const before = readTree(root);
    const fromInside = ok(runCli(['pipeline', ...SKIP], join(root, 'chalicelib')));
    assert.match(fromInside.stdout, /up to date/);
    assert.deepEqual(readTree(root), before);
  });

  it('--defaults without appName fails naming appName and --app-name, and writes nothing', () => {
    const cwd = folder();
    const result = runCli(['--defaults', ...SKIP], cwd);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^error: missing answer: appName \(give --app-name/m);
    assert.deepEqual(readTree(cwd), new Map());
  });

  it('--defaults with appName takes every default', () => {
    const cwd = folder();
    ok(runCli(['--defaults', '--app-name', 'orders', ...SKIP], cwd));
    const { saved } = generated(join(cwd, 'orders'));
    assert.deepEqual(saved, {
      appName: 'orders', pythonVersion: '3.13', region: 'us-east-1', source: 'codecommit', repository: 'orders', branch: 'main',
      pipelineStackName: 'orders-pipeline', codebuildImage: 'aws/codebuild/amazonlinux-x86_64-standard:5.0', pipelineType: 'V2',
      unitTests: true, integrationTests: true, production: true, manualApproval: true, prodDeployment: 'AllAtOnce', selfUpdate: false, approveBroadening: true,
      generatedFiles: saved.generatedFiles,
    });
  });

  it('$AWS_REGION sets the default region, $AWS_DEFAULT_REGION comes second, a flag beats both', () => {
    const both = folder();
    ok(runCli(['--app-name', 'orders', ...SKIP], both, { AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'eu-south-1' }));
    assert.equal(generated(join(both, 'orders')).saved.region, 'eu-north-1');

    const second = folder();
    ok(runCli(['--app-name', 'orders', ...SKIP], second, { AWS_DEFAULT_REGION: 'eu-south-1' }));
    const out = generated(join(second, 'orders'));
    assert.equal(out.saved.region, 'eu-south-1');
    assert.equal(makeVariable(out.makefile, 'REGION'), 'eu-south-1');

    // The same order, in-process, for the layers the bin cannot show at once.
    const region = (flags: Record<string, string>, env: NodeJS.ProcessEnv, file = {}, saved = {}) =>
      finishAnswers(mergeAnswers({ flags: { appName: 'orders', ...flags }, file, saved }, env)).answers.region;
    assert.equal(region({ region: 'us-west-2' }, { AWS_REGION: 'eu-north-1' }), 'us-west-2');
    assert.equal(region({}, { AWS_REGION: 'eu-north-1' }, { region: 'sa-east-1' }), 'sa-east-1');
    assert.equal(region({}, { AWS_REGION: 'eu-north-1' }, {}, { region: 'me-south-1' }), 'me-south-1');
    assert.equal(region({}, { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-south-1' }), 'eu-south-1', 'an empty $AWS_REGION counts as unset');
    assert.equal(region({}, {}), 'us-east-1');
  });

  it('--no-production removes the Prod stage, and manualApproval/approvalEmail become irrelevant', () => {
    const cwd = folder();
    ok(runCli(['--app-name', 'orders', '--no-production', '--manual-approval', '--approval-email', 'team@example.com', ...SKIP], cwd));
    const out = generated(join(cwd, 'orders'));
    assert.deepEqual(out.stages, ['Source', 'Build', 'ReviewBeta', 'ApproveBetaBroadening', 'Beta', 'IntegrationTests']);
    assert.deepEqual(out.chaliceStages, ['dev', 'beta']);
    assert.equal(out.saved.production, false);
    assert.equal(out.saved.manualApproval, false, 'no approval without production');
    assert.equal(out.saved.approvalEmail, undefined);
    assert.equal(out.parameters.ApprovalEmail, undefined);
    assert.equal(makeVariable(out.makefile, 'APPROVAL_EMAIL'), undefined);
  });

  it('an irrelevant answer is not validated (a bad approvalEmail with --no-manual-approval)', () => {
    const cwd = folder();
    ok(runCli(['--app-name', 'orders', '--no-manual-approval', '--approval-email', 'not-an-email', ...SKIP], cwd));
    const out = generated(join(cwd, 'orders'));
    // No approval before prod: the broadening gate instead (review, then an approval only when IAM widens).
    assert.ok(out.stages.includes('Prod') && out.stages.includes('ApproveProdBroadening'), out.stages.join(', '));
    assert.equal(out.saved.approvalEmail, undefined);
  });

  it('--no-<flag> beats true in the answers file; --<flag> beats false', () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'answers.json'), JSON.stringify({ appName: 'orders', unitTests: true, integrationTests: false }));
    ok(runCli(['--answers', 'answers.json', '--no-unit-tests', '--integration-tests', ...SKIP], cwd));
    const out = generated(join(cwd, 'orders'));
    assert.equal(out.saved.unitTests, false);
    assert.equal(out.saved.integrationTests, true);
    assert.ok(out.stages.includes('IntegrationTests'));
  });

  it('a .yml answers file works (examples/answers-github.yml)', () => {
    const cwd = folder();
    ok(runCli(['--answers', GITHUB_YML, ...SKIP], cwd));
    const example = parse(readFileSync(GITHUB_YML, 'utf8')) as Record<string, unknown>;
    const out = generated(join(cwd, String(example.appName)));
    for (const [key, value] of Object.entries(example)) assert.equal(out.saved[key], value, key);
    assert.equal(out.parameters.ApplicationName, example.appName);
    assert.equal(out.parameters.BranchName, example.branch);
    assert.equal(out.parameters.RepositoryId, example.repository);
    assert.equal(out.parameters.ApprovalEmail, example.approvalEmail);
    assert.equal(makeVariable(out.makefile, 'REGION'), example.region);
  });

  it('a JSON answers file saved with a byte order mark works', () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'answers.json'), `\uFEFF${JSON.stringify({ appName: 'orders', region: 'eu-west-3' })}`);
    ok(runCli(['--answers', 'answers.json', ...SKIP], cwd));
    assert.equal(generated(join(cwd, 'orders')).saved.region, 'eu-west-3');
  });
});
