// Opt-in self-update: a stage right after Source applies the pushed pipeline.json to this very stack (change set,
// then execute), with every parameter carried over by reference. It is applied by a role that may change only this
// stack's resources and create only roles that carry a permissions boundary it can neither remove nor edit.
import { NAME_LIMITS, stackCharsKept } from '../../facts/aws.js';
import type { Project } from '../../answers/project.js';
import { actionType, arn, arnOf, getAtt, policyDocument, ref, serviceRole, sub, type Json, type Resources, type Statement } from '../cfn.js';
import { exceptionsMetadata } from '../deploy-role.js';
import { ARTIFACT_KEY } from './encryption.js';
import { SOURCE_ARTIFACT, connectionArnValue } from './source.js';
import { changeReviewRoleName, crossAccount, pipelineRoleName } from './placement.js';
import { REVIEW_ROLE } from './review.js';

/** The parts of the pipeline template this step reads and extends (template.ts builds it, then calls addSelfUpdate). */
interface ExtensibleTemplate {
  Parameters: Record<string, unknown>;
  Resources: Resources;
}

export const UPDATE_STAGE = 'UpdatePipeline';
export const UPDATE_ROLE = 'PipelineUpdateRole';
export const BOUNDARY = 'PipelineRolesBoundary';
/** Services the update role hands the pipeline's roles to (build projects, the pipeline, the source rule). */
const PASSED_TO = ['codebuild.amazonaws.com', 'codepipeline.amazonaws.com', 'events.amazonaws.com'];

/**
 * What the names CloudFormation generates in this stack (roles, the source rule: 64 characters at most) start with:
 * the stack name whole while it is short enough to survive, else the part of it that always survives.
 */
function generatedPrefix(project: Project): string {
  const kept = stackCharsKept(NAME_LIMITS.generatedInAppStack);
  return project.pipelineStackName.length <= kept ? '${AWS::StackName}-' : project.pipelineStackName.slice(0, kept);
}
const ownStack = arn('cloudformation', 'stack/${AWS::StackName}/*');

/** The name pattern of one unnamed role of this stack: `<stack>-<LogicalId>-<random>`, the stack part cut as CloudFormation cuts it. */
function ownRoleNamed(project: Project, logicalId: string): Json {
  const prefix = generatedPrefix(project);
  return arn('iam', `role/${prefix}${prefix.endsWith('-') ? '' : '-'}${logicalId}-*`, { region: false });
}

/** The stage: change set on this stack from the source's pipeline.json, then execute it. */
function updateStage(project: Project, parameterNames: string[]): Json {
  // Each parameter keeps the value the stack has now (CloudFormation substitutes it when it deploys this template).
  const overrides = sub(JSON.stringify(Object.fromEntries(parameterNames.map((name) => [name, `\${${name}}`]))));
  const action = (verb: 'Create' | 'Execute', runOrder: number, configuration: Record<string, Json>, rest: Record<string, Json> = {}): Json => ({
    Name: `${verb}PipelineChangeSet`,
    ActionTypeId: actionType('Deploy', 'CloudFormation'),
    Configuration: { ...configuration, StackName: ref('AWS::StackName'), ChangeSetName: sub('${AWS::StackName}-self-update') },
    ...rest,
    RunOrder: runOrder,
  });
  return {
    Name: UPDATE_STAGE,
    Actions: [
      action('Create', 1, {
        ActionMode: 'CHANGE_SET_REPLACE',
        TemplatePath: `${SOURCE_ARTIFACT}::pipeline.json`,
        // As for `make deploy`: a stage in another account names the pipeline role (its trust policy names it).
        Capabilities: crossAccount(project) ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM',
        RoleArn: arnOf(UPDATE_ROLE),
        ParameterOverrides: overrides,
      }, { InputArtifacts: [{ Name: SOURCE_ARTIFACT }] }),
      action('Execute', 2, { ActionMode: 'CHANGE_SET_EXECUTE' }),
    ],
  };
}

/** What the pipeline role needs to run the stage. */
function runStatements(): Statement[] {
  return [
    {
      Sid: 'UpdateOwnStack',
      Action: [
        'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:ExecuteChangeSet',
        'cloudformation:DeleteChangeSet', 'cloudformation:DescribeStacks',
      ],
      Resource: [ownStack],
    },
    {
      Sid: 'PassUpdateRole', Action: ['iam:PassRole'], Resource: [arnOf(UPDATE_ROLE)],
      Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    },
  ];
}

/** The update role: this stack's resources only, by ARN or by the names CloudFormation gives them. */
function updateRoleStatements(project: Project, resources: Resources, boundedRoles: string[]): Statement[] {
  const boundary = ref(BOUNDARY);
  const ownRoles = arn('iam', `role/${generatedPrefix(project)}*`, { region: false });
  const namedPipelineRole = crossAccount(project) ? [arn('iam', `role/${pipelineRoleName(project.roleNamePrefix.sub)}`, { region: false })] : [];
  // The change review's role is named when a target account's review role trusts it (review.ts).
  const namedReviewRole = (resources[REVIEW_ROLE]?.Properties as { RoleName?: Json } | undefined)?.RoleName
    ? [arn('iam', `role/${changeReviewRoleName(project.roleNamePrefix.sub)}`, { region: false })] : [];
  const statements: Statement[] = [
    {
      Sid: 'ReadAndTidyOwnRoles',
      Action: [
        'iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:UpdateRole',
        'iam:UpdateRoleDescription', 'iam:TagRole', 'iam:UntagRole', 'iam:DeleteRole',
      ],
      Resource: [ownRoles],
    },
    {
      // Creating a role or changing what it may do only with the boundary on it: a pushed pipeline.json cannot grant
      // more than the boundary, and roles without it (this one) cannot be changed from the pipeline at all.
      Sid: 'ChangeOwnRolesWithinBoundary',
      Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary'],
      Resource: [ownRoles],
      Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } },
    },
    {
      // Managed policies too, and only this stack's own (never AdministratorAccess or another stack's).
      Sid: 'AttachOwnPoliciesWithinBoundary',
      Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      Resource: [ownRoles],
      Condition: {
        StringEquals: { 'iam:PermissionsBoundary': boundary },
        ArnLike: { 'iam:PolicyARN': arn('iam', `policy/${generatedPrefix(project)}*`, { region: false }) },
      },
    },
    {
      // UpdateAssumeRolePolicy carries no iam:PermissionsBoundary: named instead are exactly the bounded roles.
      Sid: 'TrustOfBoundedRoles',
      Action: ['iam:UpdateAssumeRolePolicy'],
      Resource: boundedRoles.map((id) => ownRoleNamed(project, id)),
    },
    { Sid: 'KeepBoundaryOnRoles', Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary'], Resource: [ownRoles] },
    {
      Sid: 'KeepBoundaryAsIs', Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      Resource: [boundary],
    },
    { Sid: 'ReadBoundary', Action: ['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions'], Resource: [boundary] },
    {
      // An update passes the stack's roles again; named (so target accounts can trust them) with another account.
      Sid: 'PassOwnRoles', Action: ['iam:PassRole'],
      Resource: [ownRoles, ...namedPipelineRole, ...namedReviewRole],
      Condition: { StringEquals: { 'iam:PassedToService': PASSED_TO } },
    },
    // CloudFormation reads the pipeline's role before it creates or updates the pipeline; a named one only read here.
    ...(namedPipelineRole.length > 0 ? [{ Sid: 'ReadNamedPipelineRole', Action: ['iam:GetRole'], Resource: namedPipelineRole }] : []),
    {
      Sid: 'ConfigureOwnBuckets',
      // The bucket handlers' calls but DeleteBucket (the buckets are retained: CloudFormation never deletes them); S3
      // authorises removing a configuration as putting it. *Resource: TagResource, UntagResource, ListTagsForResource.
      Action: [
        's3:CreateBucket', 's3:ListBucket', 's3:GetBucket*', 's3:PutBucket*', 's3:Get*Configuration', 's3:Put*Configuration',
        's3:DeleteBucketPolicy', 's3:DeleteBucketWebsite', 's3:*Resource',
      ],
      Resource: [arnOf('ArtifactBucketStore'), arnOf('ApplicationBucket')],
    },
    {
      Sid: 'ManageOwnBuildLogs',
      Action: [
        'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:TagResource', 'logs:UntagResource',
        'logs:ListTagsForResource', 'logs:DescribeIndexPolicies',
      ],
      Resource: [arn('logs', 'log-group:/aws/codebuild/${AWS::StackName}/*')],
    },
    { Sid: 'FindOwnBuildLogs', Action: ['logs:DescribeLogGroups'], Resource: [arn('logs', 'log-group:*')] },
    {
      Sid: 'ManageOwnBuilds',
      Action: [
        'codebuild:CreateProject', 'codebuild:UpdateProject', 'codebuild:DeleteProject', 'codebuild:BatchGetProjects',
        'codebuild:CreateReportGroup', 'codebuild:UpdateReportGroup', 'codebuild:DeleteReportGroup', 'codebuild:BatchGetReportGroups',
        'codebuild:ListReportsForReportGroup', 'codebuild:DeleteReport',
      ],
      // Every project and report-group name the generator gives (so turning integration tests or the review on works too).
      Resource: [
        ...['Build', 'IntegrationTests'].flatMap((name) => [arn('codebuild', `project/\${ApplicationName}${name}`), arn('codebuild', `report-group/\${ApplicationName}${name}-*`)]),
        arn('codebuild', `project/\${ApplicationName}ChangeReview`),
      ],
    },
    {
      Sid: 'UpdateOwnPipeline',
      // An update restarts the pipeline (RestartExecutionOnUpdate): StartPipelineExecution.
      // *Pipeline: Create, Get, Update, Delete; *Resource: tags (as below).
      Action: [
        'codepipeline:*Pipeline', 'codepipeline:GetPipelineState', 'codepipeline:StartPipelineExecution', 'codepipeline:*StageTransition',
        'codepipeline:*Resource',
      ],
      Resource: [arn('codepipeline', '${ApplicationName}Pipeline')],
    },
    {
      Sid: 'ManageOwnTopics',
      Action: [
        'sns:CreateTopic', 'sns:DeleteTopic', 'sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:Unsubscribe',
        'sns:ListSubscriptionsByTopic', 'sns:GetSubscriptionAttributes', 'sns:GetDataProtectionPolicy', 'sns:TagResource', 'sns:UntagResource',
        'sns:ListTagsForResource',
      ],
      Resource: [arn('sns', '${AWS::StackName}-*')],
    },
    {
      // Rule ARNs end in a random id: scoped by the resource they watch, this pipeline.
      Sid: 'ManageOwnNotificationRules',
      Action: [
        'codestar-notifications:CreateNotificationRule', 'codestar-notifications:UpdateNotificationRule', 'codestar-notifications:DeleteNotificationRule',
        'codestar-notifications:DescribeNotificationRule', 'codestar-notifications:Subscribe', 'codestar-notifications:Unsubscribe',
        'codestar-notifications:TagResource', 'codestar-notifications:UntagResource', 'codestar-notifications:ListTagsForResource',
      ],
      Resource: [arn('codestar-notifications', 'notificationrule/*')],
      Condition: { ArnEquals: { 'codestar-notifications:NotificationsForResource': arn('codepipeline', '${ApplicationName}Pipeline') } },
    },
  ];
  if (!project.usesConnection) {
    statements.push(
      {
        Sid: 'ConfigureOwnRepository',
        Action: ['codecommit:CreateRepository', 'codecommit:GetRepository', 'codecommit:UpdateRepository*', 'codecommit:*Resource'],
        Resource: [arnOf('SourceRepository')],
      },
      {
        Sid: 'ManageOwnSourceRule',
        Action: ['events:PutRule', 'events:DescribeRule', 'events:DeleteRule', 'events:*Targets*', 'events:*Resource'],
        Resource: [arn('events', `rule/${generatedPrefix(project)}*`)],
      },
    );
  } else {
    // The pipeline's source action names the connection: creating or updating the pipeline passes it (both prefixes).
    statements.push({ Sid: 'PassOwnConnection', Action: ['codestar-connections:PassConnection', 'codeconnections:PassConnection'], Resource: [connectionArnValue(project)] });
    if (!project.connectionArn) {
      statements.push(
        {
          Sid: 'ManageOwnConnection',
          Action: ['codeconnections:GetConnection', 'codeconnections:DeleteConnection', 'codeconnections:TagResource', 'codeconnections:UntagResource', 'codeconnections:ListTagsForResource'],
          Resource: [getAtt('SourceConnection', 'ConnectionArn')],
        },
        {
          Sid: 'CreateConnectionOfOwnProvider', Action: ['codeconnections:CreateConnection'], Resource: ['*'],
          Condition: { StringEquals: { 'codeconnections:ProviderType': (resources.SourceConnection!.Properties as { ProviderType: Json }).ProviderType } },
        },
      );
    }
  }
  if (resources[ARTIFACT_KEY]) {
    // The key stays when the stack goes (as its buckets do): no ScheduleKeyDeletion. Its policy names the target
    // accounts' roles, so adding or moving a stage in another account rewrites it.
    statements.push(
      {
        Sid: 'ManageOwnArtifactKey',
        Action: [
          'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags', 'kms:PutKeyPolicy', 'kms:EnableKey',
          'kms:DisableKey', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation', 'kms:UpdateKeyDescription', 'kms:TagResource', 'kms:UntagResource',
        ],
        Resource: [arnOf(ARTIFACT_KEY)],
      },
      { Sid: 'CreateArtifactKey', Action: ['kms:CreateKey'], Resource: ['*'] },
    );
  }
  return statements;
}

/**
 * The roles the pipeline may change itself: those that neither deploy nor run the pipeline (the build role runs the
 * repository's code, so it is the one most worth a ceiling). The pipeline and deploy roles carry no boundary, so the
 * update role cannot touch their policies: what the pipeline may deploy changes only by an administrator's deploy.
 */
const BOUNDED_ROLES = ['CodeBuildRole', 'SourceChangeRuleRole', 'CodeDeployRole'];

/**
 * The boundary: exactly the bounded roles' own statements, merged per service and condition (a managed policy holds
 * at most 6,144 characters). References that would make the boundary depend on a bounded role become the names
 * CloudFormation gives: a role's ARN the stack's role-name pattern, the pipeline's its name.
 */
function boundaryStatements(resources: Resources, roles: string[], ownRoles: Json): Json[] {
  const documents: Json[] = [];
  for (const role of roles) {
    for (const policy of (resources[role]!.Properties!.Policies as { PolicyDocument: Json }[] | undefined) ?? []) documents.push(policy.PolicyDocument);
  }
  for (const resource of Object.values(resources)) {
    const owners = resource.Type === 'AWS::IAM::Policy' ? (resource.Properties!.Roles as { Ref: string }[]).map((r) => r.Ref) : [];
    if (owners.some((owner) => roles.includes(owner))) documents.push(resource.Properties!.PolicyDocument!);
  }
  const unlinked = (resource: Json): Json => {
    const target = (resource as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0];
    if (target !== undefined && resources[target]?.Type === 'AWS::IAM::Role') return ownRoles;
    const text = (resource as { 'Fn::Sub'?: unknown })['Fn::Sub'];
    return typeof text === 'string' ? sub(text.replaceAll('${AppPipeline}', '${ApplicationName}Pipeline')) : resource;
  };
  const groups = new Map<string, { statement: Record<string, Json>; actions: Set<string>; resources: Map<string, Json> }>();
  const conditional: Json[] = [];
  for (const document of documents) {
    for (const entry of (document as { Statement: Json[] }).Statement) {
      // A statement that exists only under a template condition (the KMS key) keeps its own Fn::If.
      if ((entry as Record<string, Json>)['Fn::If']) {
        if (!conditional.some((kept) => JSON.stringify(kept) === JSON.stringify(entry))) conditional.push(entry);
        continue;
      }
      const { Sid: _sid, Action, Resource, ...rest } = entry as Record<string, Json>;
      const actions = Action as string[];
      const key = `${actions[0]!.split(':')[0]} ${JSON.stringify(rest)}`;
      const group = groups.get(key) ?? { statement: rest, actions: new Set(), resources: new Map() };
      for (const action of actions) group.actions.add(action);
      for (const resource of (Resource as Json[]).map(unlinked)) group.resources.set(JSON.stringify(resource), resource);
      groups.set(key, group);
    }
  }
  return [
    ...[...groups.values()].map(({ statement, actions, resources: scoped }) => ({ ...statement, Action: [...actions].sort(), Resource: [...scoped.values()] })),
    ...conditional,
  ];
}

/**
 * With selfUpdate: the stage after Source, RestartExecutionOnUpdate, the update role, and the bounded roles carrying
 * a managed policy that holds exactly their own statements (so the boundary takes nothing from them today, and a
 * pushed pipeline.json can give them nothing beyond it).
 */
export function addSelfUpdate(project: Project, template: ExtensibleTemplate): void {
  if (!project.selfUpdate) return;
  const resources = template.Resources;
  const pipeline = resources.AppPipeline!.Properties!;
  const stages = pipeline.Stages as Json[];
  stages.splice(1, 0, updateStage(project, Object.keys(template.Parameters)));
  pipeline.RestartExecutionOnUpdate = true;
  const pipelinePolicy = (resources.CodePipelineRole!.Properties!.Policies as { PolicyDocument: { Statement: Json[] } }[])[0]!.PolicyDocument;
  pipelinePolicy.Statement.push(...(policyDocument(runStatements()) as { Statement: Json[] }).Statement);

  const bounded = BOUNDED_ROLES.filter((id) => resources[id] !== undefined);
  resources[BOUNDARY] = {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      Description: sub('Permissions boundary of the ${AWS::StackName} roles: the most they may do, whatever pipeline.json says'),
      PolicyDocument: { Version: '2012-10-17', Statement: boundaryStatements(resources, bounded, arn('iam', `role/${generatedPrefix(project)}*`, { region: false })) },
    },
  };
  for (const role of bounded) resources[role]!.Properties!.PermissionsBoundary = ref(BOUNDARY);
  resources[UPDATE_ROLE] = {
    ...serviceRole('cloudformation.amazonaws.com', 'Applies the branch\'s pipeline.json to this stack', {
      Policies: [{ PolicyName: 'UpdateThisStackOnly', PolicyDocument: policyDocument(updateRoleStatements(project, resources, bounded)) }],
    }),
    Metadata: exceptionsMetadata([
      {
        statement: 'FindOwnBuildLogs', rule: 'IAM_RESOURCES_SCOPED (W11)',
        reason: 'logs:DescribeLogGroups takes only log-group:* (this account and region); CloudFormation reads back the build log groups',
      },
      {
        statement: 'ManageOwnNotificationRules', rule: 'IAM_RESOURCES_SCOPED (W11)',
        reason: 'rule ARNs end in an id drawn at creation; the codestar-notifications:NotificationsForResource condition limits it to this pipeline',
      },
      ...(resources.SourceConnection ? [{
        statement: 'CreateConnectionOfOwnProvider', rule: 'IAM_RESOURCES_SCOPED (W11)',
        reason: 'codeconnections:CreateConnection authorises on no resource (the ARN is drawn at creation): scoped by codeconnections:ProviderType to the source provider',
      }] : []),
      ...(resources[ARTIFACT_KEY] ? [{
        statement: 'CreateArtifactKey', rule: 'IAM_RESOURCES_SCOPED (W11)',
        reason: 'kms:CreateKey authorises on no resource (the key id is drawn at creation); every later call is scoped to this stack\'s ArtifactKey',
      }] : []),
    ]),
  };
}
