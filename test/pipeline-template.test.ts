// The generated pipeline stack, for every combination of answers that changes it: clean under cfn-lint, secure under
// the project's own rules (test/support/security-rules.ts), referentially whole (test/support/references.ts),
// shaped as the answers say, and consistent with the buildspecs and Python files generated beside it.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { BUILD_IMAGES } from '../lib/facts/aws.js';
import { buildspecProblems } from '../lib/repository/checks.js';
import type { PipelineTemplate } from '../lib/cloudformation/pipeline/template.js';
import { templateText } from '../lib/cloudformation/cfn.js';
import type { Project } from '../lib/answers/project.js';
import type { PartialAnswers } from '../lib/answers/settings.js';
import { REFERENCE_CHECKS } from './support/references.js';
import { SECURITY_RULES, asList, objectAt, pipelineActions, policyStatements, type CfnTemplate, type TemplateCheck } from './support/security-rules.js';
import {
  CONNECTION_ARN, LONGEST_APP_NAME, PARTLY_REVIEWED, answersMatrix, cfnLint, forEachVariant, newRepositoryFiles, projectFor, pyCompile, templateFor, tempDir, variantName, writeTree,
} from './support/tools.js';

interface Variant {
  name: string;
  answers: PartialAnswers;
  project: Project;
  template: PipelineTemplate;
}

const variant = (answers: PartialAnswers): Variant => ({ name: variantName(answers), answers, project: projectFor(answers), template: templateFor(answers) });

const MATRIX = answersMatrix().map(variant);
/** Answers the matrix keeps at their defaults but that reach the template: image (arm), branch, Python, app name. */
const EXTRAS = [
  { codebuildImage: 'aws/codebuild/amazonlinux-aarch64-standard:4.0', pythonVersion: '3.10', source: 'bitbucket', repository: 'acme/orders' },
  { branch: 'release/2026.1', pythonVersion: '3.14', codebuildImage: 'aws/codebuild/standard:8.0' },
  { appName: 'payments', approvalEmail: 'ops@example.com', integrationTests: true },
  // Every derived name at the longest app name: shortened stack and connection names.
  { appName: LONGEST_APP_NAME, source: 'github', repository: 'acme/orders', approvalEmail: 'ops@example.com' },
  { appName: LONGEST_APP_NAME, pipelineType: 'V1' },
].map(variant);
const ALL = [...MATRIX, ...EXTRAS];
/** A stage list whose shape the matrix does not reach: linted and held to the security rules with it. */
const STAGE_LISTS = [variant(PARTLY_REVIEWED)];

/** target-account.json and pipeline-region.json of every entry that has them, as the generator writes them. */
const PLACEMENT_TEMPLATES = [...ALL, ...STAGE_LISTS].flatMap((entry) => [...newRepositoryFiles(entry.answers)]
  .filter(([path]) => path === 'target-account.json' || path === 'pipeline-region.json')
  .map(([file, text]) => ({ entry, file, template: JSON.parse(text) as CfnTemplate })));

/** Runs a check over many variants; one failure message lists every variant and violation. */
function assertClean(check: TemplateCheck, variants: Variant[]): void {
  const failures = variants.flatMap(({ name, template }) => check.check(template).map((violation) => `${name}: ${violation}`));
  assert.deepEqual(failures, [], `${check.id} fails:\n${failures.slice(0, 40).join('\n')}`);
}

// ---- reading the template --------------------------------------------------------------------------------------

const resources = (template: CfnTemplate, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const stagesOf = (template: PipelineTemplate) => asList(template.Resources.AppPipeline.Properties!.Stages).map(objectAt);
const actionsOf = (template: PipelineTemplate) => pipelineActions(template.Resources.AppPipeline.Properties!);
const sub = (text: string) => ({ 'Fn::Sub': text });

/** A value with parameters at their defaults and the pseudo parameters known: what CloudFormation would name. */
function resolved(value: unknown, template: PipelineTemplate, project: Project): string {
  const lookup = (name: string) => {
    if (name === 'AWS::StackName') return project.pipelineStackName;
    if (name === 'AWS::Region') return project.region;
    const parameter = template.Parameters[name];
    assert.ok(parameter?.Default !== undefined, `${name} has no known value`);
    return String(parameter.Default);
  };
  if (typeof value === 'string') return value;
  const record = objectAt(value);
  if (typeof record.Ref === 'string') return lookup(record.Ref);
  if (typeof record['Fn::Sub'] === 'string') return record['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_, name: string) => lookup(name));
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

/** Physical names, keyed by the namespace they must be unique in (resource type and property). */
const NAME_PROPERTIES = ['Name', 'RepositoryName', 'LogGroupName', 'ConnectionName', 'TopicName', 'RoleName', 'BucketName'];

function physicalNames({ template, project }: Variant): string[] {
  const names: string[] = [];
  for (const resource of Object.values(template.Resources)) {
    for (const key of NAME_PROPERTIES) {
      const value = resource.Properties?.[key];
      if (value !== undefined) names.push(`${resource.Type}.${key}=${resolved(value, template, project)}`);
    }
  }
  // The change-set and execute actions of a stage deploy the same stack: one name per stack.
  const stacks = new Set<string>();
  for (const { action } of actionsOf(template)) {
    const stack = objectAt(action.Configuration).StackName;
    if (stack !== undefined) stacks.add(`AWS::CloudFormation::Stack=${resolved(stack, template, project)}`);
  }
  return [...names, ...stacks];
}

// ---- (a) cfn-lint ----------------------------------------------------------------------------------------------

describe('cfn-lint on every generated template', () => {
  let findings: Map<string, string>;
  const paths = new Map<string, Variant>();

  const dir = tempDir('cp-templates-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    for (const entry of [...ALL, ...STAGE_LISTS]) {
      const path = join(dir, `${entry.name}.json`);
      writeFileSync(path, templateText(entry.template));
      paths.set(path, entry);
    }
    // The templates of the target accounts and other regions go into the same cfn-lint run (one start-up).
    for (const { entry, file, template } of PLACEMENT_TEMPLATES) {
      const path = join(dir, `${entry.name}.${file}`);
      writeFileSync(path, templateText(template));
      paths.set(path, entry);
    }
    findings = await cfnLint([...paths.keys()]);
  });

  it(`reports nothing, not even informational, for the ${MATRIX.length} matrix entries, ${EXTRAS.length} extra answers and their target-account.json / pipeline-region.json`, () => {
    assert.equal(findings.size, ALL.length + STAGE_LISTS.length + PLACEMENT_TEMPLATES.length);
    assert.ok(PLACEMENT_TEMPLATES.some((t) => t.file === 'target-account.json') && PLACEMENT_TEMPLATES.some((t) => t.file === 'pipeline-region.json'));
    const dirty = [...findings].filter(([, text]) => text !== '').map(([path, text]) => `${path.slice(dir.length + 1)}:\n${text}`);
    assert.deepEqual(dirty, [], dirty.slice(0, 5).join('\n'));
  });
});

// ---- (b) security and reference checks -------------------------------------------------------------------------

describe('security rules hold for every matrix entry', () => {
  for (const rule of SECURITY_RULES) it(rule.id, () => assertClean(rule, [...ALL, ...STAGE_LISTS]));
});

describe('security rules hold for every target-account.json and pipeline-region.json', () => {
  const variants = PLACEMENT_TEMPLATES.map(({ entry, file, template }) => ({ ...entry, name: `${entry.name} ${file}`, template: template as unknown as PipelineTemplate }));
  for (const rule of SECURITY_RULES) it(rule.id, () => assertClean(rule, variants));
  // A stack of roles or of one region's buckets has no pipeline: the checks of the pipeline's wiring do not apply.
  const STACK_CHECKS = ['REFERENCES_RESOLVE', 'GETATT_ATTRIBUTES_EXIST', 'NO_UNUSED_PARAMETERS', 'OUTPUTS_REFER_TO_THE_STACK'];
  for (const check of REFERENCE_CHECKS.filter((c) => STACK_CHECKS.includes(c.id))) it(check.id, () => assertClean(check, variants));
  it('the rules read the policies a two-stage target-account.json holds under its Stage conditions', () => {
    const twoStages = variants.filter(({ template }) => template.Conditions?.DeploysProd !== undefined && template.Conditions.DeploysBeta !== undefined);
    assert.ok(twoStages.length > 0);
    for (const { template } of twoStages) {
      const read = new Set(policyStatements(template as unknown as CfnTemplate).map(({ where }) => where.split('/').slice(0, 2).join('/')));
      for (const policy of ['DeployRole/DeployChaliceAppBeta', 'DeployRole/DeployChaliceAppProd', 'PipelineActionRole/DeployAppStack']) assert.ok(read.has(policy), policy);
    }
  });
});

describe('references resolve and nothing dangles for every matrix entry', () => {
  for (const check of REFERENCE_CHECKS) it(check.id, () => assertClean(check, ALL));
});

// Mutations reach anywhere into a template on purpose; the checks under test read it as unknown.
type Editable = any;

interface Breakage {
  /** Prefix of the check's id. */
  check: string;
  title: string;
  base?: PartialAnswers;
  mutate(template: Editable): void;
  /** Text the violation must contain (naming the resource or statement). */
  expect: string;
}

const FULL: PartialAnswers = { source: 'codecommit', pipelineType: 'V2', unitTests: true, integrationTests: true, production: true, manualApproval: true, approvalEmail: 'team@example.com' };
const CONNECTION: PartialAnswers = { ...FULL, source: 'github', repository: 'acme/orders' };
const EXISTING_CONNECTION: PartialAnswers = { ...FULL, source: 'gitlab', repository: 'acme/orders', connectionArn: CONNECTION_ARN };

const props = (t: Editable, id: string): Editable => t.Resources[id].Properties;
/** The statement with this Sid in a resource's own PolicyDocument or in its inline Policies. */
function statement(t: Editable, id: string, sid: string): Editable {
  const documents = [props(t, id).PolicyDocument, ...(props(t, id).Policies ?? []).map((p: Editable) => p.PolicyDocument)].filter(Boolean);
  const found = documents.flatMap((d: Editable) => d.Statement).find((s: Editable) => s.Sid === sid);
  assert.ok(found, `${id} has no statement ${sid}`);
  return found;
}
function action(t: Editable, stage: string, name: string): Editable {
  const found = props(t, 'AppPipeline').Stages.find((s: Editable) => s.Name === stage)?.Actions.find((a: Editable) => a.Name === name);
  assert.ok(found, `no action ${stage}/${name}`);
  return found;
}
const rename = (record: Editable, from: string, to: string) => {
  record[to] = record[from];
  delete record[from];
};

const SECURITY_BREAKAGES: Breakage[] = [
  { check: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED', title: 'a bucket without encryption', expect: 'ApplicationBucket', mutate: (t) => delete props(t, 'ApplicationBucket').BucketEncryption },
  {
    check: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED', title: 'an unknown algorithm', expect: 'ApplicationBucket',
    mutate: (t) => (props(t, 'ApplicationBucket').BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm = 'none'),
  },
  {
    check: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED', title: 'no encryption when no KMS key is given', expect: 'ArtifactBucketStore',
    mutate: (t) => (props(t, 'ArtifactBucketStore').BucketEncryption.ServerSideEncryptionConfiguration[0]['Fn::If'][2] = { Ref: 'AWS::NoValue' }),
  },
  {
    check: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED', title: 'an unknown algorithm when a KMS key is given', expect: 'ArtifactBucketStore',
    mutate: (t) => (props(t, 'ArtifactBucketStore').BucketEncryption.ServerSideEncryptionConfiguration[0]['Fn::If'][1].ServerSideEncryptionByDefault.SSEAlgorithm = 'none'),
  },
  ...['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].map((flag): Breakage => ({
    check: 'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED', title: `${flag} false`, expect: `ArtifactBucketStore: PublicAccessBlockConfiguration.${flag}`,
    mutate: (t) => (props(t, 'ArtifactBucketStore').PublicAccessBlockConfiguration[flag] = false),
  })),
  { check: 'S3_BUCKET_SSL_REQUESTS_ONLY', title: 'a bucket without a policy', expect: 'ApplicationBucket: no AWS::S3::BucketPolicy', mutate: (t) => delete t.Resources.ApplicationBucketPolicy },
  {
    check: 'S3_BUCKET_SSL_REQUESTS_ONLY', title: 'a policy denying the wrong condition', expect: 'ArtifactBucketStore',
    mutate: (t) => (statement(t, 'ArtifactBucketStorePolicy', 'DenyInsecureTransport').Condition.Bool['aws:SecureTransport'] = 'true'),
  },
  {
    check: 'S3_BUCKET_SSL_REQUESTS_ONLY', title: 'a policy that forgets the objects', expect: 'ApplicationBucket: its bucket policy does not deny aws:SecureTransport=false on the objects',
    mutate: (t) => statement(t, 'ApplicationBucketPolicy', 'DenyInsecureTransport').Resource.pop(),
  },
  {
    check: 'S3_ARTIFACT_BUCKET_VERSIONING_AND_LIFECYCLE', title: 'artifact versioning suspended', expect: 'ArtifactBucketStore: versioning',
    mutate: (t) => (props(t, 'ArtifactBucketStore').VersioningConfiguration.Status = 'Suspended'),
  },
  {
    check: 'S3_ARTIFACT_BUCKET_VERSIONING_AND_LIFECYCLE', title: 'old artifacts kept forever', expect: 'ArtifactBucketStore: no enabled lifecycle rule expiring old objects',
    mutate: (t) => delete props(t, 'ArtifactBucketStore').LifecycleConfiguration.Rules[0].ExpirationInDays,
  },
  {
    check: 'S3_ARTIFACT_BUCKET_VERSIONING_AND_LIFECYCLE', title: 'noncurrent versions kept forever', expect: 'ApplicationBucket: no enabled lifecycle rule expiring noncurrent versions',
    mutate: (t) => delete props(t, 'ApplicationBucket').LifecycleConfiguration,
  },
  { check: 'S3_BUCKET_NO_CANNED_ACL', title: 'a canned ACL', expect: 'ApplicationBucket: AccessControl', mutate: (t) => (props(t, 'ApplicationBucket').AccessControl = 'PublicRead') },
  { check: 'DELETION_AND_UPDATE_REPLACE_POLICIES', title: 'the repository deleted with the stack', expect: 'SourceRepository', mutate: (t) => (t.Resources.SourceRepository.DeletionPolicy = 'Delete') },
  { check: 'DELETION_AND_UPDATE_REPLACE_POLICIES', title: 'a bucket replaced away', expect: 'ArtifactBucketStore', mutate: (t) => (t.Resources.ArtifactBucketStore.UpdateReplacePolicy = 'Delete') },
  { check: 'DELETION_AND_UPDATE_REPLACE_POLICIES', title: 'a log group with one policy', expect: 'AppPackageBuildLogGroup', mutate: (t) => delete t.Resources.AppPackageBuildLogGroup.UpdateReplacePolicy },
  { check: 'DELETION_AND_UPDATE_REPLACE_POLICIES', title: 'half a policy pair anywhere', expect: 'ApprovalTopic: DeletionPolicy and UpdateReplacePolicy must be set together', mutate: (t) => (t.Resources.ApprovalTopic.DeletionPolicy = 'Delete') },
  {
    check: 'IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS', title: "Chalice's admin deploy role", expect: 'CFNDeployRole/DeployChaliceApp/ManageAppFunctions: Allow with Action "*"',
    mutate: (t) => Object.assign(statement(t, 'CFNDeployRole', 'ManageAppFunctions'), { Action: '*', Resource: '*' }),
  },
  {
    check: 'IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS', title: 'Resource "*"', expect: 'CodeBuildPolicy/WriteLogs: Allow with Resource "*"',
    mutate: (t) => (statement(t, 'CodeBuildPolicy', 'WriteLogs').Resource = ['*']),
  },
  {
    check: 'IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS', title: 'NotAction', expect: 'CodePipelineRole/RunPipeline/RunBuilds: Allow with NotAction',
    mutate: (t) => rename(statement(t, 'CodePipelineRole', 'RunBuilds'), 'Action', 'NotAction'),
  },
  {
    check: 'IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS', title: 'cloudwatch:*', expect: 'CodePipelineRole/RunPipeline/RunBuilds: Allow with the full-access action cloudwatch:*',
    mutate: (t) => statement(t, 'CodePipelineRole', 'RunBuilds').Action.push('cloudwatch:*'),
  },
  {
    check: 'IAM_RESOURCES_SCOPED', title: "Chalice's every-bucket grant", expect: 'CodeBuildPolicy/LocateBuckets',
    mutate: (t) => statement(t, 'CodeBuildPolicy', 'LocateBuckets').Resource.push(sub('arn:${AWS::Partition}:s3:::*')),
  },
  {
    check: 'IAM_RESOURCES_SCOPED', title: 'an exception without its written reason', expect: 'CFNDeployRole/DeployChaliceApp/FindAppLogGroups',
    mutate: (t) => delete (t.Resources.CFNDeployRole.Metadata as { SecurityRuleExceptions: { Statement: string; Reason?: string }[] }).SecurityRuleExceptions
      .find((exception) => exception.Statement === 'FindAppLogGroups')!.Reason,
  },
  {
    check: 'IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS', title: 'Resource "*" whose exception lost its reason', expect: 'CFNDeployRole/DeployChaliceApp/ManageAppEventSources: Allow with Resource "*"',
    mutate: (t) => delete (t.Resources.CFNDeployRole.Metadata as { SecurityRuleExceptions: { Statement: string; Reason?: string }[] }).SecurityRuleExceptions
      .find((exception) => exception.Statement === 'ManageAppEventSources')!.Reason,
  },
  {
    check: 'IAM_NO_WILDCARD_RESOURCE_ON_PASSROLE', title: 'PassRole on "*"', expect: 'CodePipelineRole/RunPipeline/PassDeployRole: iam:PassRole on any role',
    mutate: (t) => (statement(t, 'CodePipelineRole', 'PassDeployRole').Resource = '*'),
  },
  {
    check: 'IAM_NO_WILDCARD_RESOURCE_ON_PASSROLE', title: 'PassRole on every role of the account', expect: 'CFNDeployRole/DeployChaliceApp/PassAppRolesToLambda: iam:PassRole on any role',
    mutate: (t) => (statement(t, 'CFNDeployRole', 'PassAppRolesToLambda').Resource = [sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*')]),
  },
  {
    check: 'IAM_NO_WILDCARD_RESOURCE_ON_PASSROLE', title: 'PassRole to any service', expect: 'CodePipelineRole/RunPipeline/PassDeployRole: iam:PassRole without an iam:PassedToService',
    mutate: (t) => delete statement(t, 'CodePipelineRole', 'PassDeployRole').Condition,
  },
  {
    check: 'IAM_NO_WILDCARD_RESOURCE_ON_PASSROLE', title: 'PassRole granted by a wildcard action', expect: 'CodeBuildPolicy/WriteLogs: iam:PassRole without',
    mutate: (t) => statement(t, 'CodeBuildPolicy', 'WriteLogs').Action.push('iam:Pass*'),
  },
  {
    check: 'ARNS_USE_PSEUDO_PARAMETERS', title: 'a hard-coded partition', expect: 'hard-codes the partition',
    mutate: (t) => (statement(t, 'CodeBuildPolicy', 'PublishTestReports').Resource[0]['Fn::Sub'] = 'arn:aws:codebuild:${AWS::Region}:${AWS::AccountId}:report-group/x'),
  },
  {
    check: 'ARNS_USE_PSEUDO_PARAMETERS', title: 'a hard-coded region and account', expect: 'hard-codes the account',
    mutate: (t) => (statement(t, 'SourceChangeRuleRole', 'StartPipeline').Resource = ['arn:${AWS::Partition}:codepipeline:us-east-1:123456789012:x']),
  },
  {
    check: 'IAM_TRUST_POLICY_ONE_SERVICE_PRINCIPAL', title: 'a role two services may assume', expect: 'CodeBuildRole: trust policy names 2 service principals',
    mutate: (t) => (props(t, 'CodeBuildRole').AssumeRolePolicyDocument.Statement[0].Principal.Service = ['codebuild.amazonaws.com', 'lambda.amazonaws.com']),
  },
  {
    check: 'IAM_TRUST_POLICY_ONE_SERVICE_PRINCIPAL', title: 'a role an account may assume', expect: 'CFNDeployRole: trust policy trusts',
    mutate: (t) => (props(t, 'CFNDeployRole').AssumeRolePolicyDocument.Statement[0].Principal = { AWS: '*' }),
  },
  { check: 'CODEBUILD_PROJECT_NOT_PRIVILEGED', title: 'privileged mode', expect: 'AppPackageBuild: PrivilegedMode', mutate: (t) => (props(t, 'AppPackageBuild').Environment.PrivilegedMode = true) },
  {
    check: 'CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK', title: 'a token in a plaintext variable', expect: 'IntegrationTestBuild: environment variable GITHUB_TOKEN',
    mutate: (t) => props(t, 'IntegrationTestBuild').Environment.EnvironmentVariables.push(
      { Name: 'GITHUB_TOKEN', Type: 'PLAINTEXT', Value: 'x' },
      { Name: 'DB_PASSWORD', Type: 'SECRETS_MANAGER', Value: 'prod/db:password' },
    ),
  },
  {
    check: 'CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK', title: 'an access key id as a value', expect: 'AppPackageBuild: environment variable DEPLOY_USER',
    mutate: (t) => props(t, 'AppPackageBuild').Environment.EnvironmentVariables.push({ Name: 'DEPLOY_USER', Value: 'AKIAIOSFODNN7EXAMPLE' }),
  },
  { check: 'CODEBUILD_PROJECT_ARTIFACT_ENCRYPTION', title: 'encryption disabled', expect: 'AppPackageBuild: Artifacts.EncryptionDisabled', mutate: (t) => (props(t, 'AppPackageBuild').Artifacts.EncryptionDisabled = true) },
  { check: 'CW_LOGGROUP_RETENTION_PERIOD_CHECK', title: 'logs kept forever', expect: 'IntegrationTestBuildLogGroup: log group without RetentionInDays', mutate: (t) => delete props(t, 'IntegrationTestBuildLogGroup').RetentionInDays },
  {
    check: 'CW_LOGGROUP_RETENTION_PERIOD_CHECK', title: 'logs to a group the stack does not manage', expect: 'AppPackageBuild: logs do not go to a log group of this stack',
    mutate: (t) => (props(t, 'AppPackageBuild').LogsConfig.CloudWatchLogs.GroupName = '/aws/codebuild/anything'),
  },
  { check: 'CODEBUILD_PROJECT_TIMEOUT_SET', title: 'no timeout', expect: 'AppPackageBuild: TimeoutInMinutes', mutate: (t) => delete props(t, 'AppPackageBuild').TimeoutInMinutes },
  {
    check: 'CODEBUILD_PROJECT_CURRENT_IMAGE', title: 'a retired image among the allowed ones', expect: 'aws/codebuild/amazonlinux2-x86_64-standard:3.0',
    mutate: (t) => t.Parameters.CodeBuildImage.AllowedValues.push('aws/codebuild/amazonlinux2-x86_64-standard:3.0'),
  },
  {
    check: 'CODEBUILD_PROJECT_CURRENT_IMAGE', title: "Chalice v2's unlisted image", expect: 'IntegrationTestBuild: image aws/codebuild/amazonlinux2023-x86_64-standard:5.0',
    mutate: (t) => (props(t, 'IntegrationTestBuild').Environment.Image = 'aws/codebuild/amazonlinux2023-x86_64-standard:5.0'),
  },
  { check: 'CODEPIPELINE_PIPELINE_TYPE_SET', title: 'PipelineType left to the default', expect: 'AppPipeline: PipelineType', mutate: (t) => delete props(t, 'AppPipeline').PipelineType },
  {
    check: 'CODEPIPELINE_NO_GITHUB_V1_ACTION', title: 'the GitHub v1 OAuth action', base: CONNECTION, expect: 'AppPipeline/Source/Source',
    mutate: (t) => (action(t, 'Source', 'Source').ActionTypeId = { Category: 'Source', Owner: 'ThirdParty', Provider: 'GitHub', Version: '1' }),
  },
  { check: 'CODEPIPELINE_ARTIFACT_STORE_ENCRYPTED', title: 'an unencrypted artifact bucket', expect: 'artifact store ArtifactBucketStore', mutate: (t) => delete props(t, 'ArtifactBucketStore').BucketEncryption },
  { check: 'CODEPIPELINE_ARTIFACT_STORE_ENCRYPTED', title: 'a bucket from elsewhere', expect: 'is not a bucket of this stack', mutate: (t) => (props(t, 'AppPipeline').ArtifactStore.Location = 'somebody-elses-bucket') },
  {
    check: 'NO_SECRET_PARAMETER_WITH_DEFAULT', title: "Chalice v1's token parameter", expect: 'GithubPersonalToken: a secret-looking parameter has a Default',
    mutate: (t) => (t.Parameters.GithubPersonalToken = { Type: 'String', NoEcho: true, Default: 'x', Description: 'token', AllowedPattern: '.+' }),
  },
  {
    check: 'NO_SECRET_PARAMETER_WITH_DEFAULT', title: 'a NoEcho parameter with a Default', expect: 'Passphrase: a NoEcho parameter has a Default',
    mutate: (t) => (t.Parameters.Passphrase = { Type: 'String', NoEcho: 'true', Default: 'x', Description: 'x', AllowedPattern: '.+' }),
  },
  {
    check: 'NO_PLAINTEXT_SECRETS', title: 'a GitHub token in the approval message', expect: 'Stages[6].Actions[2].Configuration.CustomData: a credential',
    mutate: (t) => (action(t, 'Prod', 'ApproveRelease').Configuration.CustomData = `token ghp_${'a1'.repeat(18)}`),
  },
  { check: 'PARAMETERS_DESCRIBED_AND_CONSTRAINED', title: 'an unconstrained branch', expect: 'BranchName: neither AllowedPattern', mutate: (t) => delete t.Parameters.BranchName.AllowedPattern },
  { check: 'PARAMETERS_DESCRIBED_AND_CONSTRAINED', title: 'an undescribed parameter', expect: 'ApprovalEmail: no Description', mutate: (t) => (t.Parameters.ApprovalEmail.Description = ' ') },
  { check: 'OUTPUTS_DESCRIBED', title: 'an undescribed output', expect: 'S3PipelineBucket', mutate: (t) => delete t.Outputs.S3PipelineBucket.Description },
  { check: 'CHALICE_OUTPUT_NAMES_KEPT', title: 'SourceRepoURL renamed', expect: 'SourceRepoURL', mutate: (t) => rename(t.Outputs, 'SourceRepoURL', 'CloneUrl') },
  { check: 'CHALICE_OUTPUT_NAMES_KEPT', title: 'CFNDeployRoleArn dropped', base: CONNECTION, expect: 'CFNDeployRoleArn', mutate: (t) => delete t.Outputs.CFNDeployRoleArn },
  { check: 'CHALICE_LOGICAL_IDS_KEPT', title: 'the artifact bucket renamed', expect: 'ArtifactBucketStore', mutate: (t) => rename(t.Resources, 'ArtifactBucketStore', 'ArtifactBucket') },
  { check: 'CHALICE_LOGICAL_IDS_KEPT', title: 'the repository renamed', expect: 'SourceRepository', mutate: (t) => rename(t.Resources, 'SourceRepository', 'Repository') },
];

const REFERENCE_BREAKAGES: Breakage[] = [
  { check: 'REFERENCES_RESOLVE', title: 'a Ref to nothing', expect: 'Ref NoSuchParameter', mutate: (t) => (props(t, 'AppPackageBuild').Environment.Image = { Ref: 'NoSuchParameter' }) },
  { check: 'REFERENCES_RESOLVE', title: 'a GetAtt of nothing', expect: 'GetAtt PipelineRole.Arn', mutate: (t) => (props(t, 'AppPipeline').RoleArn = { 'Fn::GetAtt': ['PipelineRole', 'Arn'] }) },
  { check: 'REFERENCES_RESOLVE', title: 'a Sub variable of nothing', expect: 'Sub AppBucket.Arn', mutate: (t) => (statement(t, 'CFNDeployRole', 'ReadPackagedCode').Resource = [sub('${AppBucket.Arn}/*')]) },
  { check: 'REFERENCES_RESOLVE', title: 'an unknown pseudo parameter', expect: 'Sub AWS::Account', mutate: (t) => (props(t, 'AppPackageBuildLogGroup').LogGroupName = sub('/aws/codebuild/${AWS::Account}/x')) },
  { check: 'REFERENCES_RESOLVE', title: 'DependsOn nothing', expect: 'DependsOn UnitTestReports', mutate: (t) => (t.Resources.AppPackageBuild.DependsOn = ['UnitTestReports']) },
  { check: 'GETATT_ATTRIBUTES_EXIST', title: 'an attribute the type lacks', expect: 'AWS::S3::Bucket has no attribute Name', mutate: (t) => (t.Outputs.S3ApplicationBucket.Value = { 'Fn::GetAtt': ['ApplicationBucket', 'Name'] }) },
  {
    check: 'PIPELINE_INPUTS_PRODUCED_EARLIER', title: 'an artifact of a later stage', expect: 'AppPipeline/IntegrationTests/IntegrationTests: input artifact ProdDeploymentValues',
    mutate: (t) => (action(t, 'IntegrationTests', 'IntegrationTests').InputArtifacts[1].Name = 'ProdDeploymentValues'),
  },
  {
    check: 'PIPELINE_INPUTS_PRODUCED_EARLIER', title: 'an artifact of a later action of the same stage', expect: 'AppPipeline/Beta/CreateBetaChangeSet: input artifact AppDeploymentValues',
    mutate: (t) => action(t, 'Beta', 'CreateBetaChangeSet').InputArtifacts.push({ Name: 'AppDeploymentValues' }),
  },
  {
    check: 'PIPELINE_INPUTS_PRODUCED_EARLIER', title: 'a template from an artifact the action lacks', expect: 'configuration names artifact SourceRepo',
    mutate: (t) => (action(t, 'Prod', 'CreateProdChangeSet').Configuration.TemplatePath = 'SourceRepo::template.yaml'),
  },
  {
    check: 'PIPELINE_NAMES_UNIQUE', title: 'two actions producing one artifact', expect: 'output artifact AppDeploymentValues is produced twice',
    mutate: (t) => (action(t, 'Prod', 'ExecuteProdChangeSet').OutputArtifacts[0].Name = 'AppDeploymentValues'),
  },
  {
    check: 'PIPELINE_NAMES_UNIQUE', title: 'two actions with one namespace', expect: 'namespace BetaStackOutputs is used twice',
    mutate: (t) => (action(t, 'Prod', 'ExecuteProdChangeSet').Namespace = 'BetaStackOutputs'),
  },
  {
    check: 'PIPELINE_VARIABLES_RESOLVE', title: 'a variable set only later', expect: '#{ProdStackOutputs.EndpointURL} is not set by an earlier action',
    mutate: (t) => (action(t, 'Prod', 'ApproveRelease').Configuration.ExternalEntityLink = '#{ProdStackOutputs.EndpointURL}'),
  },
  {
    check: 'PIPELINE_VARIABLES_RESOLVE', title: 'a trigger on a missing source action', base: CONNECTION, expect: 'trigger on GitHubSource',
    mutate: (t) => (props(t, 'AppPipeline').Triggers[0].GitConfiguration.SourceActionName = 'GitHubSource'),
  },
  {
    check: 'NO_UNUSED_PARAMETERS', title: 'a parameter nothing uses', expect: 'RepositoryName: parameter no resource uses',
    mutate: (t) => (props(t, 'SourceRepository').RepositoryName = sub('${ApplicationName}')),
  },
  {
    check: 'IAM_ROLES_USED', title: 'a role only its policy names', expect: 'SourceChangeRuleRole: no resource uses this role',
    mutate: (t) => delete props(t, 'SourceChangeRule').Targets[0].RoleArn,
  },
  {
    check: 'RESOURCES_CONNECTED_TO_THE_PIPELINE', title: 'a leftover connection when an existing one is given', base: EXISTING_CONNECTION, expect: 'SourceConnection: nothing links',
    mutate: (t) => (t.Resources.SourceConnection = { Type: 'AWS::CodeConnections::Connection', Properties: { ConnectionName: 'orders-src', ProviderType: 'GitLab' } }),
  },
  { check: 'OUTPUTS_REFER_TO_THE_STACK', title: 'a constant output', expect: 'Region: output refers to nothing', mutate: (t) => (t.Outputs.Region = { Description: 'x', Value: 'us-east-1' }) },
];

function breakageTests(checks: readonly TemplateCheck[], breakages: Breakage[]): void {
  const checkFor = (prefix: string) => {
    const found = checks.find((c) => c.id.startsWith(prefix));
    assert.ok(found, `no check ${prefix}`);
    return found;
  };
  it('every check has a negative test', () => {
    const untested = checks.filter((c) => !breakages.some((b) => c.id.startsWith(b.check))).map((c) => c.id);
    assert.deepEqual(untested, []);
  });
  for (const breakage of breakages) {
    it(`${breakage.check} reports ${breakage.title}`, () => {
      const good = templateFor(breakage.base ?? FULL);
      const check = checkFor(breakage.check);
      assert.deepEqual(check.check(good), [], 'the unbroken template must pass');
      const broken: Editable = structuredClone(good);
      breakage.mutate(broken);
      const violations = check.check(broken);
      assert.ok(violations.some((v) => v.includes(breakage.expect)), `expected a violation containing "${breakage.expect}", got ${JSON.stringify(violations)}`);
    });
  }
}

describe('each security rule can fail', () => breakageTests(SECURITY_RULES, SECURITY_BREAKAGES));
describe('each reference check can fail', () => breakageTests(REFERENCE_CHECKS, REFERENCE_BREAKAGES));

// ---- (c) structure per answers ---------------------------------------------------------------------------------


function expectedResources(project: Project): string[] {
  const ids = [
    'ApplicationBucket', 'ApplicationBucketPolicy', 'ArtifactBucketStore', 'ArtifactBucketStorePolicy', 'CodeBuildRole', 'CodeBuildPolicy',
    'AppPackageBuild', 'AppPackageBuildLogGroup', 'CFNDeployRole', 'CodePipelineRole', 'AppPipeline',
  ];
  if (project.unitTests) ids.push('AppPackageBuildReports');
  if (project.integrationTests) ids.push('IntegrationTestBuild', 'IntegrationTestBuildLogGroup', 'IntegrationTestBuildReports');
  if (!project.usesConnection) ids.push('SourceRepository', 'SourceChangeRule', 'SourceChangeRuleRole');
  if (project.usesConnection && !project.connectionArn) ids.push('SourceConnection');
  if (project.approvalEmail) ids.push('ApprovalTopic', 'ApprovalTopicPolicy');
  if (project.notificationEmail) ids.push('PipelineFailureTopic', 'PipelineFailureTopicPolicy', 'PipelineFailureNotification');
  // Prod shifting traffic in this account: its CodeDeploy role (in another account, target-account.json makes it).
  if (project.shiftsTraffic && !project.placements[1]?.accountId) ids.push('CodeDeployRole');
  if (project.selfUpdate) ids.push('PipelineUpdateRole', 'PipelineRolesBoundary');
  // The review build: an approval, or a broadening gate (a stage, wherever it lives, or the self-update).
  const reviewed = project.approveBroadening || (project.production && project.manualApproval);
  if (reviewed || (project.selfUpdate && project.approveBroadening)) ids.push('ChangeReviewRole', 'ChangeReviewBuild');
  // A stage in another account: the stack's own artifact key; no stage in this account: no CFNDeployRole.
  if (project.placements.some((p) => p.accountId)) ids.push('ArtifactKey');
  if (project.placements.every((p) => p.accountId)) ids.splice(ids.indexOf('CFNDeployRole'), 1);
  return ids.sort();
}

function expectedParameters(project: Project): string[] {
  const crossAccount = project.placements.some((p) => p.accountId);
  const regions = [...new Set(project.placements.map((p) => p.region).filter((r) => r !== undefined))];
  return [
    'ApplicationName', ...(crossAccount ? [] : ['ArtifactKmsKeyArn']), 'BranchName', 'CodeBuildImage',
    ...(project.usesConnection ? ['RepositoryId', ...(project.connectionArn ? ['ConnectionArn'] : [])] : ['RepositoryName']),
    ...(project.approvalEmail ? ['ApprovalEmail'] : []),
    ...(project.notificationEmail ? ['NotificationEmail'] : []),
    ...project.placements.flatMap((p) => [...(p.accountId ? [`${p.stage}AccountId`] : []), ...(p.region ? [`${p.stage}Region`] : [])]),
    // eu-west-1 -> EuWest1ArtifactBucket, ...: the outputs of pipeline-region.json there.
    ...regions.flatMap((region) => ['ArtifactBucket', 'ArtifactKeyArn', 'PackageBucket'].map((output) => `${region.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}${output}`)),
  ].sort();
}

describe('the template has exactly what the answers ask for', () => {
  it('the matrix covers every source, pipeline type and optional stage', () => {
    const seen = (key: 'source' | 'pipelineType' | 'unitTests' | 'integrationTests' | 'production' | 'manualApproval') => new Set(MATRIX.map((v) => v.project[key]));
    assert.deepEqual([...seen('source')].sort(), ['bitbucket', 'codecommit', 'github', 'gitlab']);
    assert.deepEqual([...seen('pipelineType')].sort(), ['V1', 'V2']);
    for (const flag of ['unitTests', 'integrationTests', 'production', 'manualApproval'] as const) assert.equal(seen(flag).size, 2, flag);
    assert.ok(MATRIX.some((v) => v.project.approvalEmail) && MATRIX.some((v) => v.project.connectionArn));
  });

  it('stages: Source, (UpdatePipeline,) Build, Beta, then IntegrationTests and Prod exactly when asked, each change without an approval behind the broadening gate', () => forEachVariant(ALL, ({ project, template }) => {
    // The gate: a review stage, then (V2) an approval stage entered only when IAM widens; none for a stage with an
    // approval (reviewed inside it) or with approveBroadening off; a stage in another account is gated like the others.
    const gate = (id: string, applies: boolean) => (!applies || !project.approveBroadening ? [] : project.pipelineType === 'V2' ? [`Review${id}`, `Approve${id}Broadening`] : [`Review${id}`]);
    const approved = project.production && project.manualApproval;
    const expected = [
      'Source', ...gate('Pipeline', project.selfUpdate), ...(project.selfUpdate ? ['UpdatePipeline'] : []), 'Build',
      ...gate('Beta', true), 'Beta',
    ];
    if (project.integrationTests) expected.push('IntegrationTests');
    if (project.production) expected.push(...gate('Prod', !approved), 'Prod');
    assert.deepEqual(stagesOf(template).map((s) => s.Name), expected);
  }));

  it('resources: exactly the ones the answers need (nothing left over when an option is off)', () => forEachVariant(ALL, ({ project, template }) => {
    assert.deepEqual(Object.keys(template.Resources).sort(), expectedResources(project));
  }));

  it('parameters: exactly the ones the answers need', () => forEachVariant(ALL, ({ project, template }) => {
    assert.deepEqual(Object.keys(template.Parameters).sort(), expectedParameters(project));
  }));

  it('PipelineType is the answer; V2 push triggers exactly for connection sources on V2', () => forEachVariant(ALL, ({ project, template }) => {
    const pipeline = template.Resources.AppPipeline.Properties!;
    assert.equal(pipeline.PipelineType, project.pipelineType);
    if (project.usesConnection && project.pipelineType === 'V2') {
      assert.deepEqual(pipeline.Triggers, [{
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: { SourceActionName: 'Source', Push: [{ Branches: { Includes: [{ Ref: 'BranchName' }] } }] },
      }]);
    } else {
      assert.equal(pipeline.Triggers, undefined);
    }
  }));

  it('CodeCommit: an EventBridge rule on the branch and no polling; connections: no rule', () => forEachVariant(ALL, ({ project, template }) => {
    const rules = resources(template, 'AWS::Events::Rule');
    const source = objectAt(actionsOf(template)[0].action);
    if (project.usesConnection) {
      assert.equal(rules.length, 0);
      assert.equal(objectAt(source.ActionTypeId).Provider, 'CodeStarSourceConnection');
      return;
    }
    assert.equal(rules.length, 1);
    const pattern = objectAt(objectAt(rules[0][1].Properties).EventPattern);
    assert.deepEqual(objectAt(pattern.detail).referenceName, [{ Ref: 'BranchName' }]);
    assert.deepEqual(pattern.resources, [{ 'Fn::GetAtt': ['SourceRepository', 'Arn'] }]);
    assert.equal(objectAt(source.ActionTypeId).Provider, 'CodeCommit');
    assert.equal(objectAt(source.Configuration).PollForSourceChanges, false);
  }));

  it('SourceConnection only for a connection source without a given connectionArn, which is used instead', () => forEachVariant(ALL, ({ project, template }) => {
    const connectionArn = objectAt(actionsOf(template)[0].action.Configuration).ConnectionArn;
    if (!project.usesConnection) assert.equal(connectionArn, undefined);
    else if (project.connectionArn) {
      assert.deepEqual(connectionArn, { Ref: 'ConnectionArn' });
      assert.equal(template.Parameters.ConnectionArn.Default, project.connectionArn);
    } else {
      assert.deepEqual(connectionArn, { 'Fn::GetAtt': ['SourceConnection', 'ConnectionArn'] });
      assert.equal(template.Resources.SourceConnection.Properties!.ProviderType, { github: 'GitHub', gitlab: 'GitLab', bitbucket: 'Bitbucket' }[project.source as 'github']);
    }
  }));

  it('ApprovalTopic and the ApprovalEmail parameter only with an approval email, notified by every approval', () => forEachVariant(ALL, ({ project, template }) => {
    const approvals = actionsOf(template).filter(({ action }) => objectAt(action.ActionTypeId).Provider === 'Manual');
    assert.equal(approvals.some(({ action }) => action.Name === 'ApproveRelease'), project.production && project.manualApproval);
    assert.equal(template.Resources.ApprovalTopic !== undefined, project.approvalEmail !== undefined);
    if (project.approvalEmail) assert.equal(template.Parameters.ApprovalEmail.Default, project.approvalEmail);
    for (const { action } of approvals) assert.deepEqual(objectAt(action.Configuration).NotificationArn, project.approvalEmail ? { Ref: 'ApprovalTopic' } : undefined);
  }));

  it('deploys change set then execute to ${ApplicationName}BetaStack / ProdStack (shortened for a long app name) with CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND', () => forEachVariant(ALL, ({ project, template }) => {
    // (The UpdatePipeline stage deploys the pipeline stack itself: test/safe-releases.test.ts.)
    const deploys = actionsOf(template).filter(({ stage, action }) => objectAt(action.ActionTypeId).Provider === 'CloudFormation' && stage !== 'UpdatePipeline');
    const stages = project.production ? ['Beta', 'Prod'] : ['Beta'];
    assert.deepEqual(deploys.map(({ action }) => action.Name), stages.flatMap((s) => [`Create${s}ChangeSet`, `Execute${s}ChangeSet`]));
    for (const { stage, action } of deploys) {
      const configuration = objectAt(action.Configuration);
      assert.deepEqual(configuration.StackName, project.appName.length < 25 ? sub(`\${ApplicationName}${stage}Stack`) : project.appStacks[stage === 'Beta' ? 'beta' : 'prod'].value);
      assert.equal(resolved(configuration.StackName, template, project), stage === 'Beta' ? project.betaStack : project.prodStack);
      const placement = project.placements.find((p) => p.stage === stage)!;
      if (configuration.ActionMode === 'CHANGE_SET_REPLACE') {
        assert.equal(configuration.Capabilities, 'CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND');
        assert.deepEqual(configuration.RoleArn, placement.accountId
          ? sub(`arn:\${AWS::Partition}:iam::\${${stage}AccountId}:role/\${ApplicationName}${stage}DeployRole`)
          : { 'Fn::GetAtt': ['CFNDeployRole', 'Arn'] });
      } else {
        assert.equal(configuration.ActionMode, 'CHANGE_SET_EXECUTE');
      }
    }
  }));

  it('BranchName defaults to the branch answer and CodeBuildImage to the image answer, with Python and architecture to match', () => forEachVariant(ALL, ({ project, template }) => {
    assert.equal(template.Parameters.BranchName.Default, project.branch);
    const image = template.Parameters.CodeBuildImage;
    assert.equal(image.Default, project.codebuildImage);
    const allowed = asList(image.AllowedValues).map((name) => BUILD_IMAGES.find((known) => known.name === name));
    assert.ok(allowed.includes(BUILD_IMAGES.find((known) => known.name === project.codebuildImage)));
    for (const [index, known] of allowed.entries()) {
      assert.ok(known, `${String(asList(image.AllowedValues)[index])} is not a curated image`);
      assert.ok(known.python.includes(project.pythonVersion), `${known.name} lacks Python ${project.pythonVersion}`);
      assert.equal(known.arm, allowed[0]!.arm, 'allowed images mix architectures');
    }
    for (const [, build] of resources(template, 'AWS::CodeBuild::Project')) {
      assert.equal(objectAt(build.Properties!.Environment).Type, allowed[0]!.arm ? 'ARM_CONTAINER' : 'LINUX_CONTAINER');
    }
  }));

  it('the extra answers reach the template (custom branch, arm image, another app name)', () => {
    assert.equal(EXTRAS[0].template.Parameters.CodeBuildImage.Default, 'aws/codebuild/amazonlinux-aarch64-standard:4.0');
    assert.equal(EXTRAS[1].template.Parameters.BranchName.Default, 'release/2026.1');
    assert.equal(EXTRAS[2].template.Parameters.ApplicationName.Default, 'payments');
  });

  it("two different app names never share a physical name, even when one prefixes the other's names", () => {
    const base = { ...FULL, pipelineType: 'V2' };
    const sources: PartialAnswers[] = [{ source: 'codecommit' }, { source: 'github', repository: 'acme/x' }];
    for (const source of sources) {
      for (const [first, second] of [['orders', 'payments'], ['orders', 'ordersBeta'], ['orders', 'ordersProd'], ['orders', 'ordersIntegration']]) {
        const a = physicalNames(variant({ ...base, ...source, appName: first, ...(source.repository ? { repository: `acme/${first}` } : {}) }));
        const b = physicalNames(variant({ ...base, ...source, appName: second, ...(source.repository ? { repository: `acme/${second}` } : {}) }));
        assert.ok(a.length >= 8, `too few names found: ${a.join(', ')}`);
        assert.deepEqual(a.filter((name) => b.includes(name)), [], `${first} and ${second}`);
      }
    }
  });

  it('physical names are unique within a template and fit AWS limits with the longest app name', () => {
    const LIMITS: Record<string, number> = {
      'AWS::CodeConnections::Connection.ConnectionName': 32, 'AWS::CodePipeline::Pipeline.Name': 100, 'AWS::CloudFormation::Stack': 128,
      'AWS::CodeBuild::Project.Name': 255, 'AWS::CodeBuild::ReportGroup.Name': 128, 'AWS::CodeCommit::Repository.RepositoryName': 100,
      'AWS::Logs::LogGroup.LogGroupName': 512,
    };
    const longest = `A${'b'.repeat(23)}`;
    for (const source of [{ source: 'codecommit' }, { source: 'bitbucket', repository: 'acme/orders' }] as PartialAnswers[]) {
      const names = physicalNames(variant({ ...FULL, ...source, appName: longest }));
      assert.equal(new Set(names).size, names.length, names.join('\n'));
      for (const entry of names) {
        const [namespace, name] = entry.split('=');
        assert.ok(name.length <= (LIMITS[namespace] ?? 255), `${entry} is longer than ${LIMITS[namespace]}`);
      }
    }
  });
});

// ---- (d) buildspecs and the other generated files --------------------------------------------------------------

interface Buildspec {
  phases: Record<string, { commands: string[]; 'runtime-versions'?: Record<string, unknown> }>;
  env?: { variables?: Record<string, string>; 'exported-variables'?: string[] };
  reports?: Record<string, { files: string[]; 'base-directory'?: string }>;
  artifacts?: { files: string[] };
}

const commandsOf = (spec: Buildspec) => Object.values(spec.phases).flatMap((phase) => phase.commands);

/** Repository paths a command reads: requirements files and test folders (an --ignore'd path may be absent). */
function pathsRead(command: string): string[] {
  return command.split(/\s+/)
    .filter((token) => !token.startsWith('--ignore='))
    .map((token) => token.replace(/^--[\w-]+=/, ''))
    .filter((token) => /^requirements[\w.-]*\.txt$/.test(token) || /^tests(\/[\w.-]+)*\/?$/.test(token));
}

const exists = (files: Map<string, string>, path: string) =>
  files.has(path) || [...files.keys()].some((file) => file.startsWith(`${path.replace(/\/$/, '')}/`));

/** CodeBuild's own variables; any other $VAR a command uses must come from the buildspec or the project. */
const isBuiltInVariable = (name: string) => name.startsWith('CODEBUILD_') || ['HOME', 'PATH', 'AWS_REGION', 'AWS_DEFAULT_REGION'].includes(name);

function checkGeneratedRepository({ answers, project, template }: Variant): void {
  const files = newRepositoryFiles(answers);
  assert.deepEqual(JSON.parse(files.get('pipeline.json')!), JSON.parse(JSON.stringify(template)), 'pipeline.json is not the template');
  checkBuildFiles(project, template, files);
}

/** The buildspecs (and integration conftest.py) among files against the template's build projects and deploys. */
function checkBuildFiles(project: Project, template: PipelineTemplate, files: Map<string, string>): void {
  const chaliceStages = Object.keys(objectAt(JSON.parse(files.get('.chalice/config.json')!).stages));
  const buildspecNames = [...files.keys()].filter((path) => /^buildspec[\w-]*\.yml$/.test(path));
  const specs = new Map<string, Buildspec>();
  for (const name of buildspecNames) {
    const parsed: unknown = parseYaml(files.get(name)!);
    assert.deepEqual(buildspecProblems(parsed), [], name);
    const spec = parsed as Buildspec;
    assert.equal(spec.phases.install['runtime-versions']?.python, project.pythonVersion, `${name} runtime-versions.python`);
    for (const command of commandsOf(spec)) {
      for (const path of pathsRead(command)) assert.ok(exists(files, path), `${name}: "${command}" reads ${path}, which is not generated`);
    }
    specs.set(name, spec);
  }

  const builds = resources(template, 'AWS::CodeBuild::Project').map(([id, resource]) => ({ id, properties: resource.Properties! }));
  const used = builds.map(({ properties }) => String(objectAt(properties.Source).BuildSpec));
  assert.deepEqual([...used].sort(), [...buildspecNames].sort(), 'buildspec files and the projects that run them differ');
  assert.deepEqual([...project.buildspecs].sort(), [...used].sort(), 'project.buildspecs (README, Makefile) lists other buildspecs');

  const expectedGroups: string[] = [];
  for (const { id, properties } of builds) {
    const specName = String(objectAt(properties.Source).BuildSpec);
    const spec = specs.get(specName)!;
    const commands = commandsOf(spec);
    // Variables the commands read come from the buildspec's env or the project's environment.
    const defined = [
      ...Object.keys(spec.env?.variables ?? {}),
      // Set by the commands themselves, for CodePipeline to read.
      ...(spec.env?.['exported-variables'] ?? []),
      ...asList(objectAt(properties.Environment).EnvironmentVariables).map((v) => String(objectAt(v).Name)),
    ];
    for (const [, name] of commands.join('\n').matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)) {
      assert.ok(isBuiltInVariable(name) || defined.includes(name), `${specName} uses $${name}, which ${id} does not set`);
    }
    const projectName = String(objectAt(properties.Name)['Fn::Sub']);
    const junitPaths = commands.flatMap((c) => [...c.matchAll(/pytest .*--junitxml=(\S+)/g)].map((m) => m[1]));
    for (const [key, group] of Object.entries(spec.reports ?? {})) {
      // CodeBuild names the group of `reports: <key>` `<project>-<key>`; the stack must create it before the first build.
      const groupName = `${projectName}-${key}`;
      expectedGroups.push(groupName);
      const groupId = resources(template, 'AWS::CodeBuild::ReportGroup').find(([, r]) => objectAt(r.Properties!.Name)['Fn::Sub'] === groupName)?.[0];
      assert.ok(groupId, `${specName}: report ${key} has no report group ${groupName} in the stack`);
      assert.ok(asList(template.Resources[id].DependsOn).includes(groupId), `${id} does not wait for its report group ${groupId}`);
      const reportFiles = group.files.map((file) => `${group['base-directory'] ? `${group['base-directory']}/` : ''}${file}`);
      assert.ok(junitPaths.some((path) => reportFiles.includes(path)), `${specName}: report ${key} reads ${reportFiles}, pytest writes ${junitPaths}`);
    }
    if (specName === 'buildspec.yml') {
      const pytest = commands.filter((c) => /\bpytest\b.*--junitxml/.test(c));
      assert.equal(pytest.length, project.unitTests ? 1 : 0, `buildspec.yml runs pytest --junitxml ${pytest.length} times`);
      const packaged = commands.flatMap((c) => [...c.matchAll(/chalice package --stage (\S+)/g)].map((m) => m[1]));
      assert.deepEqual(packaged, project.production ? ['beta', 'prod'] : ['beta']);
      for (const stage of packaged) assert.ok(chaliceStages.includes(stage), `.chalice/config.json has no stage ${stage}`);
      const written = commands.flatMap((c) => [...c.matchAll(/--output-template-file (\S+)/g)].map((m) => m[1]));
      // The templates the build writes (the UpdatePipeline stage reads pipeline.json from the source instead).
      const deployed = actionsOf(template).map(({ action }) => objectAt(action.Configuration).TemplatePath).filter((p): p is string => typeof p === 'string' && p.startsWith('CompiledCFNTemplate::')).map((p) => p.split('::')[1]);
      assert.deepEqual(spec.artifacts?.files, written, 'artifacts differ from the packaged templates');
      assert.deepEqual(deployed, written, 'the deploy actions read other templates than the build writes');
    } else if (specName === 'buildspec-review.yml') {
      assert.ok(commands.some((c) => /python scripts\/review_changes\.py /.test(c)) && files.has('scripts/review_changes.py'), `${specName} does not run scripts/review_changes.py`);
    } else {
      assert.ok(commands.some((c) => /\bpytest tests\/integration\b.*--junitxml/.test(c)), `${specName} does not run tests/integration`);
    }
  }
  const groups = resources(template, 'AWS::CodeBuild::ReportGroup').map(([, r]) => String(objectAt(r.Properties!.Name)['Fn::Sub']));
  assert.deepEqual(groups.sort(), expectedGroups.sort(), 'report groups the stack creates differ from the reports the buildspecs publish');

  // The integration tests find the beta outputs at $CODEBUILD_SRC_DIR_<artifact>: the artifact the action is given.
  const integration = actionsOf(template).find(({ stage }) => stage === 'IntegrationTests');
  if (integration) {
    const conftest = files.get('tests/integration/conftest.py')!;
    for (const name of asList(integration.action.InputArtifacts).map((a) => String(objectAt(a).Name)).slice(1)) {
      assert.ok(conftest.includes(`CODEBUILD_SRC_DIR_${name}`), `conftest.py does not read the ${name} artifact`);
    }
  }
}

describe('generated buildspecs agree with the template for every matrix entry', () => {
  it('parse, pass buildspecProblems, pin Python, test and package as asked, and name files and report groups that exist', () => {
    forEachVariant(ALL, checkGeneratedRepository);
  });

  it('a buildspec reading a missing file or a wrong report group fails the check', () => {
    const { project, template } = variant(FULL);
    const files = newRepositoryFiles(FULL);
    assert.ok(exists(files, 'tests/integration') && !exists(files, 'tests/unit'));
    assert.deepEqual(pathsRead('python -m pip install -r requirements.txt -r requirements-dev.txt'), ['requirements.txt', 'requirements-dev.txt']);
    assert.deepEqual(pathsRead('python -m pytest tests/unit --ignore=tests/integration --junitxml=reports/x.xml'), ['tests/unit']);
    checkBuildFiles(project, template, files);
    const renamed = structuredClone(template);
    renamed.Resources.AppPackageBuildReports.Properties!.Name = sub('${ApplicationName}Build-unit');
    assert.throws(() => checkBuildFiles(project, renamed, files), /report unit-tests has no report group \$\{ApplicationName\}Build-unit-tests/);
    const missing = new Map(files);
    missing.delete('requirements-dev.txt');
    assert.throws(() => checkBuildFiles(project, template, missing), /reads requirements-dev.txt, which is not generated/);
    const secondSpec = new Map(files).set('buildspec-extra.yml', files.get('buildspec.yml')!);
    assert.throws(() => checkBuildFiles(project, template, secondSpec), /buildspec files and the projects that run them differ/);
  });
});

// ---- (e) Python ------------------------------------------------------------------------------------------------

describe('generated Python compiles', () => {
  it('for every source, with and without integration tests (one py_compile run)', () => {
    const subset = ['codecommit', 'github', 'gitlab', 'bitbucket'].flatMap((source) => [true, false].map((integrationTests) =>
      MATRIX.find(({ project }) => project.source === source && project.integrationTests === integrationTests)!));
    const root = tempDir('cp-python-');
    try {
      const paths: string[] = [];
      for (const entry of subset) {
        const files = [...newRepositoryFiles(entry.answers)].filter(([path]) => path.endsWith('.py'));
        writeTree(join(root, entry.name), new Map(files));
        paths.push(...files.map(([path]) => join(root, entry.name, path)));
      }
      assert.ok(paths.some((p) => p.endsWith('tests/integration/conftest.py')) && paths.some((p) => p.endsWith('app.py')));
      assert.equal(pyCompile(paths), '');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});


describe('pipeline.json fits `aws cloudformation deploy` without an S3 bucket', () => {
  it('every template, as make deploy sends it (compact JSON), is under the 51,200-byte inline template limit with room to grow', () => {
    const longest = templateFor({
      appName: LONGEST_APP_NAME, approvalEmail: 'release-approvers@example.com', branch: 'release/2026.1', prodDeployment: 'Linear10PercentEvery10Minutes', selfUpdate: true,
    });
    const largest = Math.max(...[...ALL.map((entry) => entry.template), longest].map((t) => Buffer.byteLength(JSON.stringify(t))));
    // The change review (review build, role, gate stages) took most of the room: 3 % is left for the largest answers.
    assert.ok(largest < 51_200 * 0.97, `largest compact pipeline.json is ${largest} bytes`);
    for (const { answers } of ALL.slice(0, 3)) assert.match(newRepositoryFiles(answers).get('Makefile')!, /--template-file build\/pipeline\.min\.json /);
  });

  it('a pipeline with stages elsewhere, as make deploy sends it (compact JSON), is under the limit with room to grow', () => {
    const elsewhere = ALL.filter(({ project }) => project.placements.some((p) => p.accountId || p.region));
    assert.ok(elsewhere.length >= 3);
    const largest = Math.max(...elsewhere.map((entry) => Buffer.byteLength(JSON.stringify(entry.template))));
    assert.ok(largest < 51_200 * 0.97, `largest compact pipeline.json is ${largest} bytes`);
    for (const { answers } of elsewhere) assert.match(newRepositoryFiles(answers).get('Makefile')!, /--template-file build\/pipeline\.min\.json /);
  });
});
