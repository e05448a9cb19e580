// Approve what will actually ship. A stage with an approval creates its change set first, then a review build
// (buildspec-review.yml running scripts/review_changes.py) compares the stack's deployed template with the new one and
// describes the change set; the approval carries its one-line summary and links the change set; approving executes
// that very change set. A stage without an approval (and the self-update) gets the broadening gate instead: the same
// review before the stage, then an approval stage entered only when IAM permissions widen (V2 stage condition).
// A stack in another account is read through that account's review role (target-account.json), which trusts only
// this review role.
import { REVIEW_BUILDSPEC, runsReviewBuild, selfUpdateReview, stageReview, type ChangeReview, type Project } from '../../answers/project.js';
import type { ReleaseStage } from '../../answers/release.js';
import { actionType, arn, arnOf, policyDocument, ref, serviceRole, sub, type Json, type Resources, type Statement } from '../cfn.js';
import { containerType } from './build.js';
import { BUILD_ARTIFACT, appStackArn, appStages, deployActions, type AppStage } from './deploy.js';
import { artifactKeyStatement, withArtifactKey } from './encryption.js';
import { accountOf, changeReviewRoleName, inOtherAccount, regionOf, reviewRoleName, roleArnIn } from './placement.js';
import { SOURCE_ARTIFACT } from './source.js';
import { bucketAccess } from './storage.js';

export const REVIEW_BUILD = 'ChangeReviewBuild';
export const REVIEW_ROLE = 'ChangeReviewRole';
/** The review logs into the package build's log group (its own stream prefix): one retention rule, less template. */
const REVIEW_LOG_GROUP = 'AppPackageBuildLogGroup';
/**
 * Why an action left the stage it had in pipeline.json before (the upgrade's stack plan names each move): the
 * release approval once had its own stage (Approval, Approve<Stage>) between two deploys.
 */
export const MOVED_ACTIONS: Record<string, string> = {
  ApproveRelease: 'the approval now runs inside the stage it approves, between its change sets and their execution: approving executes exactly the change set it describes, and a V2 rollback of that stage re-runs its create and execute',
};

/** The most characters of an approval's message (CodePipeline's CustomData), and what an endpoint URL may take of them. */
const APPROVAL_MESSAGE_LIMIT = 1000;
const ENDPOINT_URL_ROOM = 100;

/** What a review reads of a stack, here or through a target account's review role: nothing it could change. */
export const REVIEW_READS = ['cloudformation:GetTemplate', 'cloudformation:DescribeStacks', 'cloudformation:DescribeChangeSet'];

/** The review build's exported variables (buildspec-review.yml), read as #{Review<Stage>.<name>}. */
export const REVIEW_VARIABLES = ['SUMMARY', 'IAM_WIDENS', 'CHANGE_SET_URL', 'REPORT_URL'] as const;

const releaseStage = (project: Project, target: AppStage): ReleaseStage | undefined => project.release.stages.find((entry) => entry.name === target.chaliceStage);

/** How a deploy target is reviewed (project.ts decides, from its release stage and the answers). */
export const reviewKind = (project: Project, target: AppStage): ChangeReview => {
  const release = releaseStage(project, target);
  return release ? stageReview(project, release) : 'none';
};

const waveOf = (project: Project, stage: ReleaseStage) => appStages(project).filter((target) => target.chaliceStage === stage.name);

/** Whether the pipeline has a review build at all. */
export const hasReview = (project: Project) => project.buildspecs.includes(REVIEW_BUILDSPEC);

/** What one review compares: a stack (its region as Fn::Sub text), the new template, and its change set if created. */
interface ReviewTarget {
  /** Names the review's action, stage and namespace: Beta, Prod, Pipeline. */
  id: string;
  stackName: string;
  region: string;
  /** `<artifact>::<path>` of the template about to be deployed. */
  template: string;
  changeSetName?: string;
  /** Fail the build when IAM widens (the V1 gate). */
  failOnWidening: boolean;
  /** A stack in another account: the review role there (Fn::Sub text of its ARN), assumed before reading. */
  roleArn?: string;
  /** A wave's summaries share one approval message: each one's most characters. */
  summaryLimit?: number;
}

const namespace = (id: string) => `Review${id}`;
const variable = (id: string, name: (typeof REVIEW_VARIABLES)[number]) => `#{${namespace(id)}.${name}}`;

function reviewAction(target: ReviewTarget, runOrder: number): Json {
  // Only what differs from buildspec-review.yml's defaults (pipeline.json stays under the inline size limit). With a
  // change set, the template reviewed is the change set's own; else the artifact's (CompiledCFNTemplate by default).
  const [artifact, path] = target.template.split('::');
  const environment = Object.entries({
    STACK_NAME: target.stackName,
    ...(target.changeSetName ? { CHANGE_SET_NAME: target.changeSetName } : { TEMPLATE: artifact === BUILD_ARTIFACT ? path : target.template }),
    ...(target.region !== '${AWS::Region}' ? { STACK_REGION: target.region } : {}),
    ...(target.failOnWidening ? { FAIL_ON_WIDENING: 'true' } : {}),
    ...(target.roleArn ? { REVIEW_ROLE_ARN: target.roleArn } : {}),
    ...(target.summaryLimit ? { SUMMARY_LIMIT: String(target.summaryLimit) } : {}),
  }).map(([name, value]) => ({ name, value }));
  const inputs = artifact === SOURCE_ARTIFACT || target.changeSetName ? [SOURCE_ARTIFACT] : [SOURCE_ARTIFACT, artifact];
  return {
    Name: `Review${target.id}Changes`,
    ActionTypeId: actionType('Test', 'CodeBuild'),
    Configuration: {
      ProjectName: ref(REVIEW_BUILD), ...(inputs.length > 1 ? { PrimarySource: SOURCE_ARTIFACT } : {}), EnvironmentVariables: sub(JSON.stringify(environment)),
    },
    InputArtifacts: inputs.map((name) => ({ Name: name })),
    Namespace: namespace(target.id),
    RunOrder: runOrder,
  };
}

function approvalAction(name: string, customData: string, link: string | undefined, project: Project, runOrder: number): Json {
  return {
    Name: name,
    ActionTypeId: actionType('Approval', 'Manual'),
    Configuration: {
      CustomData: sub(customData),
      ...(link ? { ExternalEntityLink: link } : {}),
      ...(project.approvalEmail ? { NotificationArn: ref('ApprovalTopic') } : {}),
    },
    RunOrder: runOrder,
  };
}

const targetOf = (project: Project, stage: AppStage, withChangeSet: boolean): ReviewTarget => ({
  id: stage.stage,
  stackName: project.appStacks[stage.chaliceStage].sub,
  region: regionOf(stage),
  template: `${BUILD_ARTIFACT}::${stage.template}`,
  ...(withChangeSet ? { changeSetName: `\${ApplicationName}${stage.stage}ChangeSet` } : {}),
  failOnWidening: reviewKind(project, stage) === 'gate-fails',
  ...(inOtherAccount(stage) ? { roleArn: remoteReviewRole(project, stage) } : {}),
});

/** Fn::Sub text of the review role target-account.json creates in a target's account. */
const remoteReviewRole = (project: Project, stage: AppStage) => roleArnIn(accountOf(stage), reviewRoleName(project.roleNamePrefix.sub, stage.stage));

/**
 * The approval of a stage that has one, between its change sets and their execution: every target's review
 * (RunOrder 2), then one approval with every summary. Nothing without an approval.
 */
function betweenCreateAndExecute(project: Project, stage: ReleaseStage, wave: AppStage[]): Json[] {
  if (!stage.approval) return [];
  const previous = project.release.stages[project.release.stages.indexOf(stage) - 1];
  const shown = previous ? waveOf(project, previous)[0] : undefined;
  const tested = shown ? ` ${shown.stage}: #{${shown.namespace}.EndpointURL}.` : '';
  const summaries = wave.map((target) => (wave.length > 1 ? `${target.stage} ` : '') + variable(target.stage, 'SUMMARY')).join('; ');
  const message = `To ${stage.name}: ${summaries}.${tested} Approving executes ${wave.length > 1 ? 'every target\'s' : 'the linked'} change set.`;
  // CodePipeline takes 1,000 characters of message, variables resolved: a wave's summaries share what the rest
  // leaves (an endpoint URL counted as ENDPOINT_URL_ROOM); one summary keeps the script's own limit.
  const room = APPROVAL_MESSAGE_LIMIT - message.replace(/#\{[^}]+\}/g, '').length - (tested ? ENDPOINT_URL_ROOM : 0);
  const summaryLimit = wave.length > 1 ? Math.floor(room / wave.length) : undefined;
  return [
    ...wave.map((target) => reviewAction({ ...targetOf(project, target, true), summaryLimit }, 2)),
    approvalAction('ApproveRelease', message, variable(wave[0].stage, 'CHANGE_SET_URL'), project, 3),
  ];
}

/**
 * A release stage's actions, the one builder for all of them: each target's change set (RunOrder 1), the approval's
 * review and approval when it has one, then each target's execute (a wave shares its RunOrders).
 */
export function deployStageActions(project: Project, stage: ReleaseStage): Json[] {
  const wave = waveOf(project, stage);
  const between = betweenCreateAndExecute(project, stage, wave);
  const executeAt = Math.max(1, ...between.map((action) => (action as { RunOrder: number }).RunOrder)) + 1;
  const deploys = wave.map((target) => deployActions(project, target, executeAt));
  return between.length === 0 ? deploys.flat() : [...deploys.map(([create]) => create), ...between, ...deploys.map(([, execute]) => execute)];
}

/**
 * The gate's stages: the review of every gated target, then per target an approval entered only when its IAM widens
 * (a stage condition reads one review's variables). V1: the review alone, failing when IAM widens.
 */
function gateStages(project: Project, id: string, targets: ReviewTarget[], what: string): Json[] {
  if (targets.length === 0) return [];
  const review = { Name: namespace(id), Actions: targets.map((target) => reviewAction(target, 1)) };
  if (targets[0].failOnWidening) return [review];
  return [review, ...targets.map((target) => ({
    Name: `Approve${target.id}Broadening`,
    // Entered only when the review says IAM widens; otherwise skipped, and the release flows on.
    BeforeEntry: {
      Conditions: [{
        Result: 'SKIP',
        Rules: [{
          Name: 'IamWidens',
          RuleTypeId: actionType('Rule', 'VariableCheck'),
          Configuration: { Variable: variable(target.id, 'IAM_WIDENS'), Operator: 'EQ', Value: 'true' },
        }],
      }],
    },
    Actions: [approvalAction(
      'ApproveBroadening',
      // The full report: the review action's log (its details link in the console; REPORT_URL).
      `${what}${targets.length > 1 ? ` ${target.id}` : ''}: ${variable(target.id, 'SUMMARY')}`,
      undefined,
      project, 1,
    )],
  }))];
}

/** The gate's stages before a release stage without an approval (its targets this account reaches; none without the gate). */
export function stagesBefore(project: Project, stage: ReleaseStage): Json[] {
  const gated = waveOf(project, stage).filter((target) => ['gate', 'gate-fails'].includes(reviewKind(project, target)));
  return gateStages(project, stage.id, gated.map((target) => targetOf(project, target, false)), stage.name);
}

/** The gate's stages before the self-update stage: the pushed pipeline.json against the pipeline stack's template. */
export function stagesBeforeSelfUpdate(project: Project): Json[] {
  const kind = selfUpdateReview(project);
  if (!runsReviewBuild(kind)) return [];
  return gateStages(project, 'Pipeline', [{
    id: 'Pipeline', stackName: '${AWS::StackName}', region: '${AWS::Region}', template: `${SOURCE_ARTIFACT}::pipeline.json`,
    failOnWidening: kind === 'gate-fails',
  }], 'pipeline.json');
}

export const reviewedTargets = (project: Project) => appStages(project).filter((stage) => runsReviewBuild(reviewKind(project, stage)));
/** The reviewed targets in other accounts: their stacks are read through the review roles there. */
export const remoteReviews = (project: Project) => reviewedTargets(project).filter(inOtherAccount);

/**
 * The stacks the review reads itself (Fn::Sub ARNs): the reviewed app stacks in this account, and the pipeline's own
 * with the self-update gate.
 */
function reviewedStacks(project: Project): Json[] {
  const stacks = reviewedTargets(project)
    .filter((stage) => !inOtherAccount(stage))
    .map((stage) => appStackArn(project, stage));
  if (runsReviewBuild(selfUpdateReview(project))) stacks.push(arn('cloudformation', 'stack/${AWS::StackName}/*'));
  return stacks;
}

function reviewStatements(project: Project): Statement[] {
  return [
    { Sid: 'WriteLogs', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [arnOf(REVIEW_LOG_GROUP)] },
    bucketAccess('ReadArtifacts', ['ArtifactBucketStore'], ['s3:GetObject', 's3:GetObjectVersion']),
    // Read only: the deployed template, the stack's status, and the change set the stage created.
    ...(reviewedStacks(project).length > 0 ? [{ Sid: 'ReadReviewedStacks', Action: REVIEW_READS, Resource: reviewedStacks(project) }] : []),
    // A stack in another account: the read-only review role there, exactly those roles.
    ...(remoteReviews(project).length > 0 ? [{ Sid: 'AssumeTargetReviewRoles', Action: ['sts:AssumeRole'], Resource: remoteReviews(project).map((stage) => sub(remoteReviewRole(project, stage))) }] : []),
    // Reads the input artifacts only (no output artifact, no cache).
    { ...artifactKeyStatement(project), Action: ['kms:Decrypt', 'kms:DescribeKey'] },
  ];
}

/** The review build and its role (only when a stage or the self-update is reviewed). */
export function reviewResources(project: Project): Resources {
  if (!hasReview(project)) return {};
  return {
    [REVIEW_ROLE]: serviceRole('codebuild.amazonaws.com', 'Change review', {
      // Named when a target account's review role must trust it by name.
      ...(remoteReviews(project).length > 0 ? { RoleName: sub(changeReviewRoleName(project.roleNamePrefix.sub)) } : {}),
      Policies: [{ PolicyName: 'ReviewChanges', PolicyDocument: policyDocument(reviewStatements(project)) }],
    }),
    [REVIEW_BUILD]: {
      Type: 'AWS::CodeBuild::Project',
      Properties: {
        Name: sub('${ApplicationName}ChangeReview'),
        ServiceRole: arnOf(REVIEW_ROLE),
        Artifacts: { Type: 'CODEPIPELINE' },
        Source: { Type: 'CODEPIPELINE', BuildSpec: REVIEW_BUILDSPEC },
        Environment: {
          ComputeType: 'BUILD_GENERAL1_SMALL', Image: ref('CodeBuildImage'), Type: containerType(project), PrivilegedMode: false,
        },
        LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: ref(REVIEW_LOG_GROUP), StreamName: 'review' } },
        EncryptionKey: withArtifactKey(project, (key) => key),
        TimeoutInMinutes: 10,
      },
    },
  };
}

/** The pipeline role runs the review build as it runs the others: one more project in its RunBuilds statement. */
export function withReviewBuild(project: Project, runBuilds: Statement[]): Statement[] {
  if (!hasReview(project)) return runBuilds;
  return runBuilds.map((statement) => (statement.Sid === 'RunBuilds' ? { ...statement, Resource: [...(statement.Resource as Json[]), arnOf(REVIEW_BUILD)] } : statement));
}
