// ci-access.json: what an external CI (GitHub Actions, GitLab CI/CD) needs in the account and region of one release
// target, deployed there once with that account's credentials (`make ci-access STAGE=<name>`). It holds the OIDC
// provider of the CI's issuer (or takes an existing one: an account has one per issuer), a private bucket for the
// packaged code, the least-privilege CloudFormation deploy role (the same policy as CFNDeployRole, scoped to the
// stage's stack) and the role the CI signs in as: assumable only by this repository's release jobs of that stage,
// allowed to upload the stage's packages, run change sets of the stage's stack only and pass the deploy role.
import { CI_HOSTS, type ExternalCi } from '../facts/aws.js';
import { roleNameWithSuffix, type Project } from '../answers/project.js';
import { APP_NAME_PATTERN } from '../answers/rules.js';
import { shiftsTraffic, type Release, type ReleaseStage, type ReleaseTarget } from '../answers/release.js';
import { DELETE, arnOf, conditionOfSome, passRole, policyDocument, ref, serviceRole, sub, type Json, type Resources, type Statement } from './cfn.js';
import { deployRole, exceptionsMetadata, type AppStack } from './deploy-role.js';
import { bucketPolicy, packageBucket } from './pipeline/storage.js';
import { CODEDEPLOY_ROLE, CODEDEPLOY_ROLE_PARAMETER, codeDeployRole } from './pipeline/traffic-shifting.js';
import { chaliceNameIn } from './pipeline/deploy.js';
import { codeDeployRoleName } from './pipeline/placement.js';
import type { PipelineTemplate } from './pipeline/template.js';

export const CI_ACCESS_FILE = 'ci-access.json';
const PROVIDER_PARAMETER = 'ExistingOidcProviderArn';
const CREATES_PROVIDER = 'CreatesOidcProvider';

/** One release target with what every renderer of the external CI needs to name about it. */
export interface CiTarget {
  stage: ReleaseStage;
  target: ReleaseTarget;
  /** The app stack of the stage (Fn::Sub text and plain value): the same name in every target of a wave. */
  stack: { sub: string; value: string };
  /** The ci-access stack of this target (`make ci-access` creates it; the CI reads its outputs). */
  accessStack: string;
  /** The role the CI signs in as: a fixed name, so the CI knows its ARN before signing in. */
  ciRoleName: string;
  /** Logical IDs in ci-access.json. */
  ids: { ciRole: string; deployRole: string };
  /** The CI job's identity as the OIDC token's `sub` claim states it. */
  subject: string;
  /** The traffic shift's CodeDeploy role is passed to this target's change set (a canary/linear stage). */
  shiftsTraffic: boolean;
  /**
   * Who creates and reviews the change set before it executes: `ci-role` the target's CI role (GitLab, and GitHub's
   * broadening gate); `review-role` a role of its own (GitHub before an approval: the environment's reviewers approve
   * before its job starts, so the review runs in a job outside the environment, signed in as the release branch);
   * `none` (no approval and no broadening gate: create and execute at once).
   */
  review: 'none' | 'ci-role' | 'review-role';
  /** The review role (review: review-role): its fixed name, logical ID and trusted `sub`. */
  reviewRole?: { name: string; id: string; subject: string };
}

/** The OIDC token's `sub` of this repository's release job for a stage (an environment on GitHub, the branch on GitLab). */
export function ciSubject(ci: ExternalCi, repository: string, branch: string, stage: ReleaseStage): string {
  return ci === 'github-actions'
    ? `repo:${repository}:environment:${stage.name}`
    : `project_path:${repository}:ref_type:branch:ref:${branch}`;
}

/** The release branch's jobs outside any environment (GitHub): where the review before an approval signs in. */
const branchSubject = (repository: string, branch: string) => `repo:${repository}:ref:refs/heads/${branch}`;

function ciReview(ci: ExternalCi, project: Project, stage: ReleaseStage): CiTarget['review'] {
  if (!stage.approval && !project.approveBroadening) return 'none';
  return ci === 'github-actions' && stage.approval ? 'review-role' : 'ci-role';
}

/** Every target of the release, in stage order. */
export function ciTargets(project: Project, release: Release = project.release): CiTarget[] {
  const ci = project.externalCi ?? 'github-actions';
  return release.stages.flatMap((stage) => stage.targets.map((target): CiTarget => {
    const stack = project.appStacks[stage.name];
    const review = ciReview(ci, project, stage);
    return {
      stage, target, stack: { sub: stack.sub, value: stack.value },
      accessStack: `${project.appName}-${target.id}-ci-access`,
      ciRoleName: roleNameWithSuffix(project, `${target.id}CiRole`),
      ids: { ciRole: `${target.id}CiRole`, deployRole: `${target.id}DeployRole` },
      subject: ciSubject(ci, project.repository, project.branch, stage),
      // Any canary/linear stage: its merge template is release/<stage>-traffic-shifting.json.
      shiftsTraffic: shiftsTraffic(stage),
      review,
      ...(review === 'review-role' ? {
        reviewRole: { name: roleNameWithSuffix(project, `${target.id}CiReviewRole`), id: `${target.id}CiReviewRole`, subject: branchSubject(project.repository, project.branch) },
      } : {}),
    };
  }));
}

const deploysTarget = (target: CiTarget) => `Deploys${target.target.id}`;
/** Where a stage's packages go in the package bucket: one prefix per stage, the only place its roles reach. */
export const packagePrefix = (stage: ReleaseStage) => `${stage.name}/`;

const BUCKET_OUTPUT = 'PackageBucket';
export const ciOutputs = (target: CiTarget) => ({ packageBucket: BUCKET_OUTPUT, deployRole: `${target.target.id}DeployRoleArn`, codeDeployRole: 'CodeDeployRoleArn' });

/** A target's stack: what each step calls on it (in the order the CI role has always listed them). */
const STACK_ACTIONS: [string, 'create' | 'any' | 'execute' | 'review'][] = [
  ['CreateChangeSet', 'create'], ['DescribeChangeSet', 'any'], ['ExecuteChangeSet', 'execute'], ['DeleteChangeSet', 'any'],
  // DescribeStackEvents: the reason of a failed deploy, which the review says too when it finds the stack rolled back.
  ['DescribeStacks', 'any'], ['DescribeStackEvents', 'any'], ['GetTemplate', 'review'],
];

/**
 * What a role of a target may do: exactly what its job's commands call. `create` packages and creates the change set
 * (and reads the templates when it reviews it); `execute` executes it.
 */
function targetStatements(target: CiTarget, { create, review, execute }: { create: boolean; review: boolean; execute: boolean }): Statement[] {
  const stackArn = (name: string) => sub(`arn:\${AWS::Partition}:cloudformation:\${AWS::Region}:\${AWS::AccountId}:stack/${name}/*`);
  const steps = { create, review, execute, any: true };
  const stackActions = STACK_ACTIONS.filter(([, step]) => steps[step]).map(([action]) => `cloudformation:${action}`);
  return [
    // aws cloudformation package: HeadObject (skips an upload already there) and PutObject, under the stage's prefix.
    ...(create ? [{ Sid: 'UploadStagePackages', Action: ['s3:PutObject', 's3:GetObject'], Resource: [sub(`\${PackageBucket.Arn}/${packagePrefix(target.stage)}*`)] }] : []),
    { Sid: 'DeployStageStack', Action: stackActions, Resource: [stackArn(target.stack.sub)] },
    ...(create ? [{ Sid: 'ExpandServerlessTransform', Action: ['cloudformation:CreateChangeSet'], Resource: [sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:aws:transform/Serverless-2016-10-31')] }] : []),
    // The package bucket and the deploy role's ARN are this stack's outputs.
    { Sid: 'ReadAccessOutputs', Action: ['cloudformation:DescribeStacks'], Resource: [stackArn('${AWS::StackName}')] },
    ...(create ? [passRole('PassDeployRole', [arnOf(target.ids.deployRole)], 'cloudformation.amazonaws.com')] : []),
  ];
}

/** What the CI role of a target may do: its deploy job's calls (and the review's, when it reviews). */
export const ciRoleStatements = (target: CiTarget): Statement[] => targetStatements(target, { create: true, review: target.review === 'ci-role', execute: true });

/** What the review role of a target may do: create the change set and read it, never execute it. */
export const reviewRoleStatements = (target: CiTarget): Statement[] => targetStatements(target, { create: true, review: true, execute: false });

/** The trust policy: the CI's OIDC provider, this audience, exactly this job's subject (never a wildcard). */
function ciTrust(ci: ExternalCi, subject: string): Json {
  const { issuer, audience } = CI_HOSTS[ci];
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Federated: { 'Fn::If': [CREATES_PROVIDER, ref('OidcProvider'), ref(PROVIDER_PARAMETER)] } },
      Action: ['sts:AssumeRoleWithWebIdentity'],
      Condition: { StringEquals: { [`${issuer}:aud`]: audience, [`${issuer}:sub`]: subject } },
    }],
  };
}

export function ciAccessTemplate(project: Project, release: Release = project.release): PipelineTemplate {
  const ci = project.externalCi ?? 'github-actions';
  const { issuer, audience } = CI_HOSTS[ci];
  const targets = ciTargets(project, release);
  const resources: Resources = {
    OidcProvider: {
      Type: 'AWS::IAM::OIDCProvider',
      Condition: CREATES_PROVIDER,
      ...DELETE,
      Properties: { Url: `https://${issuer}`, ClientIdList: [audience] },
    },
    PackageBucket: packageBucket('Lambda code packaged by `aws cloudformation package` in the CI release jobs'),
    PackageBucketPolicy: bucketPolicy('PackageBucket'),
  };
  const outputs: Record<string, Record<string, Json>> = {
    [BUCKET_OUTPUT]: { Description: 'The bucket the release jobs upload the packaged code to', Value: ref('PackageBucket') },
    OidcProviderArn: { Description: `The OIDC provider of ${issuer} (pass it as ${PROVIDER_PARAMETER} to another stage's stack in this account)`, Value: { 'Fn::If': [CREATES_PROVIDER, ref('OidcProvider'), ref(PROVIDER_PARAMETER)] } },
  };
  let parameters: Record<string, Record<string, Json>> = {};
  const conditions: Record<string, Json> = {};
  const shifting = targets.filter((target) => target.shiftsTraffic);
  for (const target of targets) {
    const scope: AppStack = {
      stackName: target.stack.sub,
      generatedPrefix: project.appStacks[target.stage.name].generatedPrefix.sub,
      chaliceStage: target.stage.name,
      ...(target.shiftsTraffic ? { trafficShifting: { deploymentType: target.stage.deployment, codeDeployRole: arnOf(CODEDEPLOY_ROLE) } } : {}),
    };
    const role = deployRole({ appName: chaliceNameIn(project), stacks: [scope] }, project.chaliceApp);
    parameters = { ...parameters, ...role.parameters };
    const statements = role.statements.map((statement) => (statement.Sid === 'ReadPackagedCode'
      ? { ...statement, Resource: [sub(`\${PackageBucket.Arn}/${packagePrefix(target.stage)}*`)] }
      : statement));
    const condition: Record<string, string> = targets.length > 1 ? { Condition: deploysTarget(target) } : {};
    resources[target.ids.deployRole] = {
      ...serviceRole('cloudformation.amazonaws.com', `Deploys the Chalice app stack of stage ${target.stage.name} (the same scope as the pipeline's CFNDeployRole)`, {
        Policies: [{ PolicyName: 'DeployChaliceApp', PolicyDocument: policyDocument(statements) }],
      }),
      ...condition,
      Metadata: exceptionsMetadata(role.exceptions),
    };
    resources[target.ids.ciRole] = {
      Type: 'AWS::IAM::Role',
      ...condition,
      Properties: {
        RoleName: target.ciRoleName,
        Description: `Signed in to by ${project.repository}'s release job of stage ${target.stage.name} (${ci}, OIDC)`,
        MaxSessionDuration: 3600,
        AssumeRolePolicyDocument: ciTrust(ci, target.subject),
        Policies: [{ PolicyName: 'ReleaseStage', PolicyDocument: policyDocument(ciRoleStatements(target)) }],
      },
    };
    outputs[ciOutputs(target).deployRole] = { Description: `The role CloudFormation deploys stage ${target.stage.name}'s app stack with`, Value: arnOf(target.ids.deployRole), ...condition };
    outputs[`${target.target.id}CiRoleArn`] = { Description: `The role ${ci} signs in as for stage ${target.stage.name}`, Value: arnOf(target.ids.ciRole), ...condition };
    if (target.reviewRole) {
      // Before an approval: creates and reviews the change set the approved job then executes; it cannot execute.
      resources[target.reviewRole.id] = {
        Type: 'AWS::IAM::Role',
        ...condition,
        Properties: {
          RoleName: target.reviewRole.name,
          Description: `Signed in to by ${project.repository}'s review job of stage ${target.stage.name} on ${project.branch} (${ci}, OIDC): creates and reviews the change set, never executes it`,
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: ciTrust(ci, target.reviewRole.subject),
          Policies: [{ PolicyName: 'ReviewStage', PolicyDocument: policyDocument(reviewRoleStatements(target)) }],
        },
      };
      outputs[`${target.reviewRole.id}Arn`] = { Description: `The role ${ci} signs in as to review stage ${target.stage.name} before its approval`, Value: arnOf(target.reviewRole.id), ...condition };
    }
  }
  if (shifting.length > 0) {
    // One CodeDeploy role resource, as in target-account.json: the deployed target's, named as the pipeline names it.
    const condition = conditionOfSome(shifting, targets, deploysTarget, 'ShiftsTrafficHere');
    const placements = project.placements.filter((placement) => shifting.some((target) => target.target.id === placement.stage));
    const roleName = shifting.length > 1 ? sub(codeDeployRoleName(project.roleNamePrefix.sub, '${Target}')) : undefined;
    const onlyIf: Record<string, string> = condition.name ? { Condition: condition.name } : {};
    resources[CODEDEPLOY_ROLE] = { ...codeDeployRole(project, placements, true, roleName), ...onlyIf };
    Object.assign(conditions, condition.declare);
    outputs[ciOutputs(shifting[0]).codeDeployRole] = {
      Description: `The role CodeDeploy shifts traffic with (${CODEDEPLOY_ROLE_PARAMETER} of the ${[...new Set(shifting.map((target) => target.stage.name))].join(', ')} stack)`,
      Value: arnOf(CODEDEPLOY_ROLE), ...onlyIf,
    };
  }
  const ids = targets.map((target) => target.target.id);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `What ${ci} needs to release ${project.appName} into one target (${ids.join(', ')}): OIDC sign-in, package bucket, deploy role; deploy it there with make ci-access (generator-chalice-pipeline)`,
    Parameters: {
      ApplicationName: { Type: 'String', Default: project.appName, AllowedPattern: APP_NAME_PATTERN, Description: 'Chalice app name; names the app stack the roles deploy' },
      // One file serves every target: the parameter picks the target's roles (make ci-access STAGE=... passes it).
      ...(ids.length > 1 ? {
        Target: { Type: 'String', AllowedValues: ids, Description: 'The release target deployed from this account and region (make ci-access STAGE=<stage>)' },
      } : {}),
      [PROVIDER_PARAMETER]: {
        Type: 'String', Default: '', AllowedPattern: `^(arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:oidc-provider/${issuer.replaceAll('.', '\\.')})?$`,
        Description: `The account's OIDC provider of ${issuer} when it has one already (an account has one per issuer); empty: this stack creates it`,
      },
      ...parameters,
    },
    Conditions: {
      [CREATES_PROVIDER]: { 'Fn::Equals': [ref(PROVIDER_PARAMETER), ''] },
      ...(targets.length > 1 ? Object.fromEntries(targets.map((target) => [deploysTarget(target), { 'Fn::Equals': [ref('Target'), target.target.id] }])) : {}),
      ...conditions,
    },
    Resources: resources,
    Outputs: outputs,
  };
}
