// Three small answer sets with every expectation written by hand, not derived from the product's own project model
// (projectFor): an error in turning answers into the project would flow into both sides of the structure tests in
// pipeline-template.test.ts; here it cannot.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { PartialAnswers } from '../lib/answers/settings.js';
import { asList, objectAt } from './support/security-rules.js';
import { newRepositoryFiles, templateFor } from './support/tools.js';

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:123456789012:connection/12345678-abcd-4321-abcd-1234567890ab';
const BASE_RESOURCES = [
  'AppPackageBuild', 'AppPackageBuildLogGroup', 'AppPipeline', 'ApplicationBucket', 'ApplicationBucketPolicy', 'ArtifactBucketStore',
  'ArtifactBucketStorePolicy', 'CFNDeployRole', 'CodeBuildPolicy', 'CodeBuildRole', 'CodePipelineRole',
];
const CODECOMMIT = ['SourceChangeRule', 'SourceChangeRuleRole', 'SourceRepository'];
const INTEGRATION = ['IntegrationTestBuild', 'IntegrationTestBuildLogGroup', 'IntegrationTestBuildReports'];
const APP_FILES = [
  '.chalice/config.json', '.gitignore', '.yo-rc.json', 'Makefile', 'README.md', 'app.py', 'buildspec.yml', 'chalicelib/__init__.py', 'pipeline.json',
  'requirements-dev.txt', 'requirements.txt', 'scripts/check_deploy_role.py', 'scripts/deploy-role-coverage.json', 'tests/test_app.py',
];
const INTEGRATION_FILES = ['buildspec-integration.yml', 'tests/integration/conftest.py', 'tests/integration/test_endpoint.py'];
const stack = (stage: string) => ({ 'Fn::Sub': `\${ApplicationName}${stage}Stack` });
const deploy = (stage: string) => [`Create${stage}ChangeSet:CloudFormation`, `Execute${stage}ChangeSet:CloudFormation`];

interface Expected {
  answers: PartialAnswers;
  resources: string[];
  parameters: Record<string, string>;
  pipelineType: string;
  /** Stage name: its actions as name:provider. */
  stages: [string, string[]][];
  source: Record<string, unknown>;
  python: string;
  buildPhases: string[];
  files: string[];
}

const SETS: [string, Expected][] = [
  ['the defaults (CodeCommit, V2, every stage)', {
    answers: { appName: 'orders', region: 'us-east-1' },
    resources: [...BASE_RESOURCES, 'AppPackageBuildReports', ...CODECOMMIT, ...INTEGRATION],
    parameters: { ApplicationName: 'orders', BranchName: 'main', CodeBuildImage: 'aws/codebuild/amazonlinux-x86_64-standard:5.0', RepositoryName: 'orders', ArtifactKmsKeyArn: '' },
    pipelineType: 'V2',
    stages: [
      ['Source', ['Source:CodeCommit']], ['Build', ['Build:CodeBuild']], ['Beta', deploy('Beta')], ['IntegrationTests', ['IntegrationTests:CodeBuild']],
      ['Approval', ['ApproveRelease:Manual']], ['Prod', deploy('Prod')],
    ],
    source: { RepositoryName: { 'Fn::GetAtt': ['SourceRepository', 'Name'] }, BranchName: { Ref: 'BranchName' }, PollForSourceChanges: false, OutputArtifactFormat: 'CODE_ZIP' },
    python: '3.13',
    buildPhases: ['install', 'pre_build', 'build'],
    files: [...APP_FILES, ...INTEGRATION_FILES],
  }],
  ['GitHub through a connection, V1, no integration tests, no approval, a release branch, Python 3.12', {
    answers: {
      appName: 'orders', region: 'eu-west-1', source: 'github', repository: 'acme/orders', connectionArn: CONNECTION, pipelineType: 'V1',
      integrationTests: false, manualApproval: false, branch: 'release/1.x', pythonVersion: '3.12',
    },
    resources: [...BASE_RESOURCES, 'AppPackageBuildReports'],
    parameters: {
      ApplicationName: 'orders', BranchName: 'release/1.x', CodeBuildImage: 'aws/codebuild/amazonlinux-x86_64-standard:5.0', RepositoryId: 'acme/orders',
      ConnectionArn: CONNECTION, ArtifactKmsKeyArn: '',
    },
    pipelineType: 'V1',
    stages: [['Source', ['Source:CodeStarSourceConnection']], ['Build', ['Build:CodeBuild']], ['Beta', deploy('Beta')], ['Prod', deploy('Prod')]],
    source: { ConnectionArn: { Ref: 'ConnectionArn' }, FullRepositoryId: { Ref: 'RepositoryId' }, BranchName: { Ref: 'BranchName' }, OutputArtifactFormat: 'CODE_ZIP', DetectChanges: true },
    python: '3.12',
    buildPhases: ['install', 'pre_build', 'build'],
    files: APP_FILES,
  }],
  ['no production, no unit tests, another build image', {
    answers: { appName: 'shop', region: 'us-east-1', production: false, unitTests: false, codebuildImage: 'aws/codebuild/standard:7.0' },
    resources: [...BASE_RESOURCES, ...CODECOMMIT, ...INTEGRATION],
    parameters: { ApplicationName: 'shop', BranchName: 'main', CodeBuildImage: 'aws/codebuild/standard:7.0', RepositoryName: 'shop', ArtifactKmsKeyArn: '' },
    pipelineType: 'V2',
    stages: [['Source', ['Source:CodeCommit']], ['Build', ['Build:CodeBuild']], ['Beta', deploy('Beta')], ['IntegrationTests', ['IntegrationTests:CodeBuild']]],
    source: { RepositoryName: { 'Fn::GetAtt': ['SourceRepository', 'Name'] }, BranchName: { Ref: 'BranchName' }, PollForSourceChanges: false, OutputArtifactFormat: 'CODE_ZIP' },
    python: '3.13',
    buildPhases: ['install', 'pre_build', 'build'], // pre_build runs the team's scripts/pre-build.sh hook, tests or not
    files: [...APP_FILES, ...INTEGRATION_FILES],
  }],
];

describe('answer sets with hand-written expectations', () => {
  for (const [name, expected] of SETS) {
    describe(name, () => {
      const template = templateFor(expected.answers);
      const files = newRepositoryFiles(expected.answers);
      const pipeline = objectAt(template.Resources.AppPipeline?.Properties);
      const stages = asList(pipeline.Stages).map(objectAt);

      it('pipeline.json: its resources and parameter defaults', () => {
        assert.deepEqual(Object.keys(template.Resources).sort(), [...expected.resources].sort());
        assert.deepEqual(Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([key, value]) => [key, objectAt(value).Default])), expected.parameters);
      });

      it('the pipeline: its type, stages and actions, the source and the app stacks', () => {
        assert.equal(pipeline.PipelineType, expected.pipelineType);
        const shape = stages.map((stage): [string, string[]] => [String(stage.Name), asList(stage.Actions).map(objectAt).map((action) => `${String(action.Name)}:${String(objectAt(action.ActionTypeId).Provider)}`)]);
        assert.deepEqual(shape, expected.stages);
        assert.deepEqual(objectAt(asList(stages[0]!.Actions)[0]).Configuration, expected.source);
        for (const stage of ['Beta', 'Prod']) {
          const actions = asList(stages.find((s) => s.Name === stage)?.Actions).map(objectAt);
          for (const action of actions) assert.deepEqual(objectAt(action.Configuration).StackName, stack(stage), `${stage} ${String(action.Name)}`);
        }
      });

      it('the repository: its files, and the build\'s Python and phases', () => {
        assert.deepEqual([...files.keys()].sort(), [...expected.files].sort());
        const buildspec = parseYaml(files.get('buildspec.yml')!) as { phases: Record<string, { 'runtime-versions'?: { python?: string } }> };
        assert.equal(buildspec.phases.install?.['runtime-versions']?.python, expected.python);
        assert.deepEqual(Object.keys(buildspec.phases), expected.buildPhases);
      });
    });
  }
});
