// Small existing repositories for the pipeline generator's tests, as path -> contents (write them with writeTree).
// Built from the facts in shared/reference/chalice-generate-pipeline.md: what `chalice new-project` leaves behind
// and what `chalice generate-pipeline` (v1/v2, codecommit/github) emits; written here, not copied from Chalice.
export type Tree = Record<string, string>;

const json = (value: unknown, indent = 2) => `${JSON.stringify(value, null, indent)}\n`;

/** `chalice new-project NAME --project-type rest-api` with chalice 1.31.0: the starting point of most tests. */
export function newProjectRepo(name = 'orders'): Tree {
  return {
    '.chalice/config.json': json({ version: '2.0', app_name: name, stages: { dev: { api_gateway_stage: 'api' } } }),
    '.gitignore': '.chalice/deployments/\n.chalice/venv/\n',
    'app.py': [
      'from chalice import Chalice',
      '',
      `app = Chalice(app_name='${name}')`,
      '',
      '',
      "@app.route('/')",
      'def index():',
      "    return {'hello': 'world'}",
      '',
    ].join('\n'),
    'chalicelib/__init__.py': '',
    'requirements.txt': '',
    'requirements-dev.txt': 'chalice==1.31.0\npytest\n',
    'tests/__init__.py': '',
    'tests/test_app.py': [
      'import json',
      '',
      'from chalice.test import Client',
      '',
      'from app import app',
      '',
      '',
      'def test_index():',
      '    with Client(app) as client:',
      "        response = client.http.get('/')",
      "        assert response.json_body == {'hello': 'world'}",
      '',
    ].join('\n'),
  };
}

/** The user's own Makefile: variables, a .PHONY line and targets named like ours (deploy, test, help). */
export const USER_MAKEFILE = [
  '# Orders service: local helpers (not generated)',
  'PYTHON ?= python3',
  'STAGE ?= dev',
  'export AWS_PAGER :=',
  '',
  '.PHONY: help deploy test clean',
  '',
  'help:',
  '\t@echo "make deploy | test | clean"',
  '',
  'deploy: test',
  '\tchalice deploy --stage $(STAGE)',
  '',
  'test:',
  '\t$(PYTHON) -m pytest tests',
  '',
  'clean:',
  '\trm -rf .chalice/deployments build',
  '',
].join('\n');

export function makefileRepo(name = 'orders'): Tree {
  return { ...newProjectRepo(name), Makefile: USER_MAKEFILE };
}

/**
 * A config.json grown by hand: extra top-level keys, per-function settings, a custom stage `staging`, keys in no
 * particular order and 4-space indentation (as an editor may leave it).
 */
export const EXTRA_STAGES_CONFIG = {
  app_name: 'orders',
  version: '2.0',
  lambda_memory_size: 256,
  environment_variables: { TABLE_NAME: 'orders-table', LOG_LEVEL: 'INFO' },
  stages: {
    dev: {
      api_gateway_stage: 'api',
      lambda_functions: { nightly_report: { lambda_timeout: 120, lambda_memory_size: 512 } },
      environment_variables: { TABLE_NAME: 'orders-dev' },
    },
    staging: { api_gateway_stage: 'v1', autogen_policy: false, iam_policy_file: 'policy-staging.json' },
  },
  automatic_layer: true,
};

export function extraStagesRepo(name = 'orders'): Tree {
  return { ...newProjectRepo(name), '.chalice/config.json': json({ ...EXTRA_STAGES_CONFIG, app_name: name }, 4) };
}

/** A repository that pins its interpreter with pyenv. */
export function pythonVersionRepo(name = 'orders'): Tree {
  return { ...newProjectRepo(name), '.python-version': '3.12.4\n' };
}

export type ChaliceFlavour = 'v1-codecommit' | 'v2-codecommit' | 'v1-github' | 'v2-github';
export const CHALICE_FLAVOURS: readonly ChaliceFlavour[] = ['v1-codecommit', 'v2-codecommit', 'v1-github', 'v2-github'];

export interface ChaliceTemplateOptions {
  appName?: string;
  /** Defaults of GithubOwner / GithubRepoName as a user filled them in; null leaves the parameter without one. */
  githubOwner?: string | null;
  githubRepo?: string | null;
}

const ref = (name: string) => ({ Ref: name });
const sub = (text: string) => ({ 'Fn::Sub': text });
const att = (id: string, attribute: string) => ({ 'Fn::GetAtt': [id, attribute] });
const assume = (service: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: [sub(`${service}.\${AWS::URLSuffix}`)] }, Action: ['sts:AssumeRole'] }],
});

const CHALICE_BUILDSPEC = [
  'version: 0.2',
  'phases:',
  '  install:',
  '    runtime-versions:',
  "      python: '3.x'",
  '    commands:',
  "      - pip install 'chalice>=1.33.0,<1.34.0'",
  '      - pip install -r requirements.txt',
  '  build:',
  '    commands:',
  '      - chalice package /tmp/packaged',
  '      - aws cloudformation package --template-file /tmp/packaged/sam.json --s3-bucket ${APP_S3_BUCKET} --output-template-file transformed.yaml',
  'artifacts:',
  '  type: zip',
  '  files:',
  '    - transformed.yaml',
  '',
].join('\n');

/** pipeline.json as `chalice generate-pipeline --pipeline-version v1|v2 --source codecommit|github` writes it. */
export function chalicePipelineTemplate(flavour: ChaliceFlavour, options: ChaliceTemplateOptions = {}): Record<string, unknown> {
  const { appName = 'orders', githubOwner = 'acme', githubRepo = 'orders-api' } = options;
  const v2 = flavour.startsWith('v2');
  const github = flavour.endsWith('github');
  const parameters: Record<string, Record<string, unknown>> = {
    ApplicationName: { Default: appName, Type: 'String', Description: 'Enter the name of your application' },
    CodeBuildImage: {
      Default: v2 ? 'aws/codebuild/amazonlinux2023-x86_64-standard:5.0' : 'aws/codebuild/python:3.7.1',
      Type: 'String', Description: 'Name of codebuild image to use.',
    },
  };
  if (github) {
    const withDefault = (value: string | null) => (value === null ? {} : { Default: value });
    parameters.GithubOwner = { Type: 'String', Description: 'The github owner or org name of the repository.', ...withDefault(githubOwner) };
    parameters.GithubRepoName = { Type: 'String', Description: 'The name of the github repository.', ...withDefault(githubRepo) };
    if (v2) {
      parameters.GithubRepoSecretId = { Type: 'String', Default: 'GithubRepoAccess', Description: 'The name/ID of the SecretsManager secret that holds the GitHub token.' };
      parameters.GithubRepoSecretJSONKey = { Type: 'String', Default: 'OAuthToken', Description: 'The JSON key of the secret that holds the token.' };
    } else {
      parameters.GithubPersonalToken = { Type: 'String', NoEcho: true, Description: 'Personal access token for the github repo.' };
    }
  }
  const sourceAction = github
    ? {
        Name: 'Source',
        ActionTypeId: { Category: 'Source', Owner: 'ThirdParty', Version: '1', Provider: 'GitHub' },
        RunOrder: 1,
        OutputArtifacts: [{ Name: 'SourceRepo' }],
        Configuration: {
          Owner: ref('GithubOwner'),
          Repo: ref('GithubRepoName'),
          Branch: 'master',
          OAuthToken: v2
            ? sub('{{resolve:secretsmanager:${GithubRepoSecretId}:SecretString:${GithubRepoSecretJSONKey}}}')
            : ref('GithubPersonalToken'),
        },
      }
    : {
        Name: 'Source',
        ActionTypeId: { Category: 'Source', Owner: 'AWS', Version: '1', Provider: 'CodeCommit' },
        RunOrder: 1,
        OutputArtifacts: [{ Name: 'SourceRepo' }],
        Configuration: { BranchName: 'master', RepositoryName: att('SourceRepository', 'Name') },
      };
  const deploy = (name: string, mode: string, runOrder: number, extra: Record<string, unknown>) => ({
    Name: name,
    ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Version: '1', Provider: 'CloudFormation' },
    RunOrder: runOrder,
    Configuration: { ActionMode: mode, ChangeSetName: sub('${ApplicationName}ChangeSet'), StackName: sub('${ApplicationName}BetaStack'), ...extra },
  });
  const resources: Record<string, unknown> = {
    ...(github
      ? {}
      : {
          SourceRepository: {
            Type: 'AWS::CodeCommit::Repository',
            Properties: { RepositoryName: ref('ApplicationName'), RepositoryDescription: sub('Source code for ${ApplicationName}') },
          },
        }),
    ApplicationBucket: { Type: 'AWS::S3::Bucket' },
    CodeBuildRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: assume('codebuild') } },
    CodeBuildPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'CodeBuildPolicy',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*', Effect: 'Allow' },
            { Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'], Resource: 'arn:*:s3:::*', Effect: 'Allow' },
          ],
        },
        Roles: [ref('CodeBuildRole')],
      },
    },
    AppPackageBuild: {
      Type: 'AWS::CodeBuild::Project',
      Properties: {
        Artifacts: { Type: 'CODEPIPELINE' },
        Environment: {
          ComputeType: 'BUILD_GENERAL1_SMALL',
          Image: ref('CodeBuildImage'),
          Type: 'LINUX_CONTAINER',
          EnvironmentVariables: [{ Name: 'APP_S3_BUCKET', Value: ref('ApplicationBucket') }],
        },
        Name: sub('${ApplicationName}Build'),
        ServiceRole: att('CodeBuildRole', 'Arn'),
        Source: { Type: 'CODEPIPELINE', BuildSpec: CHALICE_BUILDSPEC },
      },
    },
    AppPipeline: {
      Type: 'AWS::CodePipeline::Pipeline',
      Properties: {
        Name: sub('${ApplicationName}Pipeline'),
        ArtifactStore: { Type: 'S3', Location: ref('ArtifactBucketStore') },
        RoleArn: att('CodePipelineRole', 'Arn'),
        Stages: [
          { Name: 'Source', Actions: [sourceAction] },
          {
            Name: 'Build',
            Actions: [{
              Name: 'CodeBuild',
              ActionTypeId: { Category: 'Build', Owner: 'AWS', Version: '1', Provider: 'CodeBuild' },
              InputArtifacts: [{ Name: 'SourceRepo' }],
              OutputArtifacts: [{ Name: 'CompiledCFNTemplate' }],
              Configuration: { ProjectName: ref('AppPackageBuild') },
              RunOrder: 1,
            }],
          },
          {
            Name: 'Beta',
            Actions: [
              {
                ...deploy('CreateBetaChangeSet', 'CHANGE_SET_REPLACE', 1, {
                  RoleArn: att('CFNDeployRole', 'Arn'),
                  Capabilities: 'CAPABILITY_IAM',
                  TemplatePath: 'CompiledCFNTemplate::transformed.yaml',
                }),
                InputArtifacts: [{ Name: 'CompiledCFNTemplate' }],
              },
              {
                ...deploy('ExecuteChangeSet', 'CHANGE_SET_EXECUTE', 2, { OutputFileName: 'StackOutputs.json' }),
                OutputArtifacts: [{ Name: 'AppDeploymentValues' }],
              },
            ],
          },
        ],
      },
    },
    ArtifactBucketStore: { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'Enabled' } } },
    CodePipelineRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Policies: [{
          PolicyName: 'DefaultPolicy',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetBucketVersioning', 's3:CreateBucket', 's3:PutObject', 's3:PutBucketVersioning'], Resource: '*', Effect: 'Allow' },
              { Action: ['codecommit:CancelUploadArchive', 'codecommit:GetBranch', 'codecommit:GetCommit', 'codecommit:GetUploadArchiveStatus', 'codecommit:UploadArchive'], Resource: '*', Effect: 'Allow' },
              { Action: ['cloudwatch:*', 'iam:PassRole'], Resource: '*', Effect: 'Allow' },
              { Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild'], Resource: '*', Effect: 'Allow' },
              { Action: ['cloudformation:CreateStack', 'cloudformation:DeleteStack', 'cloudformation:DescribeStacks', 'cloudformation:UpdateStack', 'cloudformation:CreateChangeSet', 'cloudformation:DeleteChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:SetStackPolicy', 'cloudformation:ValidateTemplate'], Resource: '*', Effect: 'Allow' },
            ],
          },
        }],
        AssumeRolePolicyDocument: assume('codepipeline'),
      },
    },
    CFNDeployRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Policies: [{
          PolicyName: 'DeployAccess',
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Action: '*', Resource: '*', Effect: 'Allow' }] },
        }],
        AssumeRolePolicyDocument: assume('cloudformation'),
      },
    },
  };
  const outputs: Record<string, unknown> = {
    ...(github ? {} : { SourceRepoURL: { Value: att('SourceRepository', 'CloneUrlHttp') } }),
    S3ApplicationBucket: { Value: ref('ApplicationBucket') },
    CodeBuildRoleArn: { Value: att('CodeBuildRole', 'Arn') },
    S3PipelineBucket: { Value: ref('ArtifactBucketStore') },
    CodePipelineRoleArn: { Value: att('CodePipelineRole', 'Arn') },
    CFNDeployRoleArn: { Value: att('CFNDeployRole', 'Arn') },
  };
  return { AWSTemplateFormatVersion: '2010-09-09', Parameters: parameters, Resources: resources, Outputs: outputs };
}

/** A chalice new-project repository that ran `chalice generate-pipeline ... pipeline.json` (2-space JSON, as Chalice writes). */
export function chalicePipelineRepo(flavour: ChaliceFlavour, options: ChaliceTemplateOptions = {}): Tree {
  const name = options.appName ?? 'orders';
  return { ...newProjectRepo(name), 'pipeline.json': json(chalicePipelineTemplate(flavour, options)) };
}
