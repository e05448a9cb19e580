// The policy of a role CloudFormation uses to deploy a Chalice app's stacks, as data: one group of statements per
// Chalice feature, each scoped to the app stacks' names (or conditioned on their functions) wherever AWS allows it.
// Not tied to the pipeline template: any template that deploys the app stacks (another account's role) uses it.
import { CHALICE_FEATURES, type ChaliceAppFacts, type ChaliceFeatureId } from '../facts/chalice-features.js';
import { arn, passRole, sub, type Json, type Statement } from './cfn.js';

/** One app stack the role deploys: its name (Fn::Sub text) and the Chalice stage packaged into it. */
export interface AppStack {
  stackName: string;
  /**
   * Fn::Sub text every name CloudFormation generates in the stack starts with: `<stack>-`, or the part of a long
   * stack name it keeps (lib/answers/project.ts).
   */
  generatedPrefix: string;
  chaliceStage: string;
  /** CodeDeploy shifts this stack's traffic (SAM DeploymentPreference Type), with the role passed to it. */
  trafficShifting?: { deploymentType: string; codeDeployRole: Json };
}

export interface RoleScope {
  /** Chalice app_name as Fn::Sub text (names the managed layer). */
  appName: string;
  stacks: AppStack[];
}

/** A statement that cannot name the app stacks' resources, with why: goes into Metadata and the README. */
export interface RoleException {
  statement: string;
  rule: string;
  reason: string;
}

export interface FeatureGrant {
  feature: ChaliceFeatureId;
  /** What the role allows for it, in a few words. */
  grants: string;
  statements: string[];
}

/** What the role covers, for the Build stage's check of the packaged templates. */
export type RoleCoverage = Pick<ChaliceAppFacts, 'features' | 'stackRoles' | 'roleArns' | 'layerArns' | 'restDomains' | 'websocketDomains'> & {
  /** Resource types covered beyond the Chalice features, in every stage's stack. */
  resourceTypes: string[];
  /** Those covered in one stage's stack only (traffic shifting's alarms and CodeDeploy resources: prod). */
  stageResourceTypes: Record<string, string[]>;
};

export interface DeployRole {
  statements: Statement[];
  exceptions: RoleException[];
  /** Template parameters the statements refer to (the team's ARNs, kept out of the policy text). */
  parameters: Record<string, Record<string, Json>>;
  grants: FeatureGrant[];
  coverage: RoleCoverage;
}

const SERVERLESS_TRANSFORM = 'arn:${AWS::Partition}:cloudformation:${AWS::Region}:aws:transform/Serverless-2016-10-31';
export const TEAM_ROLES_PARAMETER = 'AppFunctionRoleArns';
export const TEAM_LAYERS_PARAMETER = 'AppLayerArns';

/** A group of statements and the features it serves. */
interface Group {
  features: ChaliceFeatureId[];
  grants: string;
  statements: Statement[];
  exceptions?: RoleException[];
  /** Resource types the group deploys that no Chalice feature creates (the Build stage's check takes them as covered). */
  resourceTypes?: string[];
  /** The Chalice stage whose stack alone the group serves (its resource types are covered there only). */
  stage?: string;
}

/** ARNs of one kind of generated resource in every app stack, from the prefix its names start with. */
const inStacks = (scope: RoleScope, service: string, resource: (generatedPrefix: string) => string, options = {}): Json[] =>
  scope.stacks.map(({ generatedPrefix }) => arn(service, resource(generatedPrefix), options));

const apigatewayPath = (path: string) => sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}::${path}`);

const functionsOf = (scope: RoleScope) => inStacks(scope, 'lambda', (prefix) => `function:${prefix}*`);

/** Functions, their invoke permissions and the packaged code: every Chalice app has them. */
function functionsGroup(scope: RoleScope): Group {
  return {
    features: ['pure-function', 'xray', 'reserved-concurrency'],
    grants: 'Lambda functions named STACK-*, their invoke permissions, concurrency and tags; the packaged code in the application bucket',
    statements: [
      { Sid: 'ExpandServerlessTransform', Action: ['cloudformation:CreateChangeSet'], Resource: [sub(SERVERLESS_TRANSFORM)] },
      {
        Sid: 'ManageAppFunctions',
        Action: [
          'lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration',
          'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:AddPermission', 'lambda:RemovePermission',
          'lambda:GetPolicy', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags',
          'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency', 'lambda:PublishVersion',
          // CloudFormation's Lambda handler reads these back after a create and before a delete.
          'lambda:GetFunctionCodeSigningConfig', 'lambda:GetFunctionRecursionConfig', 'lambda:GetRuntimeManagementConfig',
          'lambda:GetFunctionScalingConfig',
        ],
        Resource: functionsOf(scope),
      },
      { Sid: 'ReadPackagedCode', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: [sub('${ApplicationBucket.Arn}/*')] },
    ],
  };
}

/** Roles the stacks create (Chalice's DefaultRole and per-function roles), passed only to Lambda. */
function stackRolesGroup(scope: RoleScope): Group {
  const roles = inStacks(scope, 'iam', (prefix) => `role/${prefix}*`, { region: false });
  return {
    features: [],
    grants: 'IAM roles named STACK-* (Chalice\'s DefaultRole), passed only to Lambda',
    statements: [
      {
        Sid: 'ManageAppRoles',
        Action: [
          'iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:TagRole', 'iam:UntagRole', 'iam:UpdateAssumeRolePolicy',
          'iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy',
          'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies',
        ],
        Resource: roles,
      },
      passRole('PassAppRolesToLambda', roles, 'lambda.amazonaws.com'),
    ],
  };
}

/** API Gateway IDs are random: REST and WebSocket APIs of this account and region, and their tags. */
function apisGroup(): Group {
  const paths = ['/restapis', '/restapis/*', '/apis', '/apis/*', '/tags/*'];
  return {
    features: ['routes', 'authorizer', 'private-api', 'websocket'],
    grants: 'API Gateway REST and WebSocket APIs (IDs are random, so any API of this account and region), a private API\'s resource policy',
    statements: [{
      Sid: 'ManageApis',
      Action: ['apigateway:GET', 'apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH', 'apigateway:DELETE', 'apigateway:UpdateRestApiPolicy'],
      Resource: paths.map(apigatewayPath),
    }],
  };
}

function rulesGroup(scope: RoleScope): Group {
  return {
    features: ['schedule', 'cw-event'],
    grants: 'EventBridge rules named STACK-* on the default bus, targeting the app functions',
    statements: [{
      Sid: 'ManageAppRules',
      Action: [
        'events:PutRule', 'events:DeleteRule', 'events:DescribeRule', 'events:PutTargets', 'events:RemoveTargets',
        'events:ListTargetsByRule', 'events:TagResource', 'events:UntagResource', 'events:ListTagsForResource',
      ],
      Resource: inStacks(scope, 'events', (prefix) => `rule/${prefix}*`),
    }],
  };
}

/** Event source mappings have random IDs: they are scoped by the function they feed (lambda:FunctionArn). */
function eventSourceGroup(scope: RoleScope): Group {
  const onAppFunctions = { ArnLike: { 'lambda:FunctionArn': functionsOf(scope) } };
  const reason = 'CreateEventSourceMapping has no resource type (mapping IDs are random); the lambda:FunctionArn condition limits it to the app stacks\' functions';
  const tagReason = 'tagging a mapping (CloudFormation adds its stack tags) carries no lambda:FunctionArn, and mapping IDs are random';
  return {
    features: ['sqs', 'kinesis', 'dynamodb'],
    grants: 'event source mappings (SQS, Kinesis, DynamoDB streams) feeding the app functions only (lambda:FunctionArn)',
    statements: [
      {
        Sid: 'ManageAppEventSources',
        Action: ['lambda:CreateEventSourceMapping', 'lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping', 'lambda:DeleteEventSourceMapping'],
        Resource: ['*'],
        Condition: onAppFunctions,
      },
      {
        Sid: 'TagAppEventSources',
        Action: ['lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags'],
        Resource: [arn('lambda', 'event-source-mapping:*')],
      },
    ],
    exceptions: [
      { statement: 'ManageAppEventSources', rule: 'IAM_RESOURCES_SCOPED (W11)', reason },
      { statement: 'TagAppEventSources', rule: 'IAM_RESOURCES_SCOPED (W11)', reason: tagReason },
    ],
  };
}

/** The topic is the team's; what the stack may subscribe to it is the app's functions, over the lambda protocol. */
function snsGroup(scope: RoleScope): Group {
  return {
    features: ['sns'],
    grants: 'subscriptions of the app functions (sns:Endpoint, protocol lambda) to the team\'s topics in this account and region',
    statements: [
      {
        Sid: 'SubscribeAppFunctions',
        Action: ['sns:Subscribe'],
        Resource: [arn('sns', '*')],
        Condition: { StringEquals: { 'sns:Protocol': 'lambda' }, StringLike: { 'sns:Endpoint': functionsOf(scope) } },
      },
      { Sid: 'ManageAppSubscriptions', Action: ['sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'], Resource: ['*'] },
    ],
    exceptions: [
      { statement: 'SubscribeAppFunctions', rule: 'IAM_RESOURCES_SCOPED (W11)', reason: 'the topics are the team\'s, named in app.py; the sns:Endpoint and sns:Protocol conditions let the stacks subscribe only their own functions' },
      { statement: 'ManageAppSubscriptions', rule: 'IAM_RESOURCES_SCOPED (W11)', reason: 'SNS names no resource type for reading, changing and removing a subscription; CloudFormation calls them only for the app stacks\' subscriptions' },
    ],
  };
}

function logGroupsGroup(scope: RoleScope): Group {
  const reason = 'logs:DescribeLogGroups takes only log-group:* (this account and region); CloudFormation reads back the app stacks\' log groups';
  return {
    features: ['log-retention'],
    grants: 'log groups /aws/lambda/STACK-* with their retention',
    statements: [
      {
        Sid: 'ManageAppLogGroups',
        Action: [
          'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:TagResource',
          'logs:UntagResource', 'logs:ListTagsForResource', 'logs:DescribeIndexPolicies',
        ],
        Resource: inStacks(scope, 'logs', (prefix) => `log-group:/aws/lambda/${prefix}*`),
      },
      // DescribeLogGroups filters by name prefix but authorises on the account's log groups as a whole.
      { Sid: 'FindAppLogGroups', Action: ['logs:DescribeLogGroups'], Resource: [arn('logs', 'log-group:*')] },
    ],
    exceptions: [{ statement: 'FindAppLogGroups', rule: 'IAM_RESOURCES_SCOPED (W11)', reason }],
  };
}

function managedLayerGroup(scope: RoleScope): Group {
  const layers = scope.stacks.map(({ chaliceStage }) => `${scope.appName}-${chaliceStage}-managed-layer`);
  return {
    features: ['managed-layer'],
    grants: 'Chalice\'s layer APP-STAGE-managed-layer: publishing versions, reading and deleting them',
    statements: [{
      Sid: 'ManageManagedLayer',
      Action: ['lambda:PublishLayerVersion', 'lambda:GetLayerVersion', 'lambda:DeleteLayerVersion'],
      Resource: layers.flatMap((layer) => [arn('lambda', `layer:${layer}`), arn('lambda', `layer:${layer}:*`)]),
    }],
  };
}

// ---- what only the app knows -------------------------------------------------------------------------------------

function teamRolesGroup(): Group {
  return {
    features: ['precreated-role'],
    grants: `passing exactly the configured iam_role_arn roles to Lambda (parameter ${TEAM_ROLES_PARAMETER})`,
    statements: [{ ...passRole('PassTeamRolesToLambda', [], 'lambda.amazonaws.com'), Resource: { Ref: TEAM_ROLES_PARAMETER } }],
  };
}

function teamLayersGroup(): Group {
  return {
    features: ['team-layers'],
    grants: `reading exactly the configured layer versions (parameter ${TEAM_LAYERS_PARAMETER})`,
    statements: [{ Sid: 'UseTeamLayers', Action: ['lambda:GetLayerVersion'], Resource: { Ref: TEAM_LAYERS_PARAMETER } }],
  };
}

/** Custom domains are named by the team, not the stack: the role may manage exactly the configured ones. */
function domainsGroup(feature: 'rest-domain' | 'websocket-domain', sid: string, names: string[], mappings: string): Group {
  return {
    features: [feature],
    grants: `the custom domain names ${names.join(', ')} and their ${mappings}`,
    statements: [{
      Sid: sid,
      Action: ['apigateway:GET', 'apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH', 'apigateway:DELETE'],
      // POST /domainnames creates one: API Gateway authorises it on the collection, before the name exists.
      Resource: [apigatewayPath('/domainnames'), ...names.flatMap((name) => [apigatewayPath(`/domainnames/${name}`), apigatewayPath(`/domainnames/${name}/*`)])],
    }],
  };
}

function edgeDomainGroup(): Group {
  return {
    features: [],
    grants: 'cloudfront:UpdateDistribution, which API Gateway requires of whoever sets up an edge-optimized domain name',
    statements: [{ Sid: 'SetUpEdgeDomains', Action: ['cloudfront:UpdateDistribution'], Resource: ['*'] }],
    exceptions: [{
      statement: 'SetUpEdgeDomains', rule: 'IAM_RESOURCES_SCOPED (W11)',
      reason: 'an edge-optimized custom domain runs on a CloudFront distribution that API Gateway owns in its own account: its ARN is unknown in advance, and the API Gateway guide requires cloudfront:UpdateDistribution on * to set it up',
    }],
  };
}

function vpcGroup(): Group {
  return {
    features: ['vpc'],
    grants: 'reading subnets, security groups, VPCs and network interfaces (Lambda checks the VpcConfig)',
    statements: [{ Sid: 'ReadVpcSettings', Action: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeNetworkInterfaces'], Resource: ['*'] }],
    exceptions: [{
      statement: 'ReadVpcSettings', rule: 'IAM_RESOURCES_SCOPED (W11)',
      reason: 'read-only: EC2 Describe actions support no resource-level permissions; CloudFormation\'s Lambda handler calls them for a VpcConfig and waits on the network interfaces at delete',
    }],
  };
}

const ARN_LIST_PATTERN = '^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:[A-Za-z0-9:/_.+=,@-]+$';

function arnListParameter(description: string, arns: string[]): Record<string, Json> {
  return { Type: 'CommaDelimitedList', Default: arns.join(','), AllowedPattern: ARN_LIST_PATTERN, Description: description };
}

/**
 * Traffic shifting on a stack: the alias and versions of its functions, its alarms, the CodeDeploy application and
 * deployment group of the SAM transform and the deployment an alias update runs (the registry handlers of
 * AWS::Lambda::Alias/Version, AWS::CloudWatch::Alarm, AWS::CodeDeploy::Application; the deployment group has no
 * registry handler list: its API calls), and the pre-created CodeDeploy role, passed only to CodeDeploy.
 */
/** What the traffic-shifting merge template and the SAM transform add to the prod stack. */
const TRAFFIC_SHIFTING_TYPES = ['AWS::CloudWatch::Alarm', 'AWS::Lambda::Version', 'AWS::Lambda::Alias', 'AWS::CodeDeploy::Application', 'AWS::CodeDeploy::DeploymentGroup'];

function trafficShiftingGroup(stack: AppStack, shifting: NonNullable<AppStack['trafficShifting']>): Group {
  // Functions and the CodeDeploy application and group get names CloudFormation generates; the alarms are named
  // after the stack (the merge template names them).
  const { stackName, generatedPrefix } = stack;
  return {
    features: [],
    resourceTypes: TRAFFIC_SHIFTING_TYPES,
    stage: stack.chaliceStage,
    grants: `${stackName}: aliases and versions of its functions, its alarms, its CodeDeploy application, deployment groups and deployments; the CodeDeploy role passed to CodeDeploy`,
    statements: [
      {
        Sid: 'ManageProdAliasesAndVersions',
        Action: [
          'lambda:CreateAlias', 'lambda:UpdateAlias', 'lambda:GetAlias', 'lambda:DeleteAlias', 'lambda:PublishVersion',
          'lambda:GetFunctionConfiguration', 'lambda:ListVersionsByFunction', 'lambda:DeleteFunction',
          'lambda:PutProvisionedConcurrencyConfig', 'lambda:GetProvisionedConcurrencyConfig', 'lambda:DeleteProvisionedConcurrencyConfig',
          'lambda:PutRuntimeManagementConfig', 'lambda:GetRuntimeManagementConfig',
        ],
        Resource: [arn('lambda', `function:${generatedPrefix}*`)],
      },
      {
        Sid: 'ManageProdAlarms',
        Action: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource', 'cloudwatch:ListTagsForResource'],
        Resource: [arn('cloudwatch', `alarm:${stackName}-*`)],
      },
      {
        Sid: 'ManageProdDeploymentApplication',
        Action: ['codedeploy:CreateApplication', 'codedeploy:GetApplication', 'codedeploy:DeleteApplication', 'codedeploy:TagResource', 'codedeploy:UntagResource', 'codedeploy:ListTagsForResource'],
        Resource: [arn('codedeploy', `application:${generatedPrefix}*`)],
      },
      {
        Sid: 'ManageProdDeploymentGroups',
        Action: [
          'codedeploy:CreateDeploymentGroup', 'codedeploy:GetDeploymentGroup', 'codedeploy:UpdateDeploymentGroup', 'codedeploy:DeleteDeploymentGroup',
          'codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:StopDeployment',
          // The group's handlers look for deployments in progress before changing or deleting it.
          'codedeploy:ListDeployments', 'codedeploy:ListTagsForResource',
        ],
        Resource: [arn('codedeploy', `deploymentgroup:${generatedPrefix}*/*`)],
      },
      {
        Sid: 'ReadProdDeploymentConfig',
        Action: ['codedeploy:GetDeploymentConfig'],
        Resource: [arn('codedeploy', `deploymentconfig:CodeDeployDefault.Lambda${shifting.deploymentType}`)],
      },
      passRole('PassCodeDeployRole', [shifting.codeDeployRole], 'codedeploy.amazonaws.com'),
    ],
  };
}

/**
 * The deploy role for an app: every feature whose resources the stacks name themselves (so a growing app deploys
 * without a new role), plus exactly what the app's configuration names (pre-created roles, its layers, its domains,
 * its VPC). Features the app does not configure get no grant of the second kind.
 */
export function deployRole(scope: RoleScope, app: ChaliceAppFacts): DeployRole {
  const uses = (feature: ChaliceFeatureId) => app.features.includes(feature);
  const groups: Group[] = [
    functionsGroup(scope),
    ...(app.stackRoles ? [stackRolesGroup(scope)] : []),
    apisGroup(), rulesGroup(scope), eventSourceGroup(scope), snsGroup(scope), logGroupsGroup(scope), managedLayerGroup(scope),
  ];
  const parameters: DeployRole['parameters'] = {};
  if (app.roleArns.length > 0) {
    groups.push(teamRolesGroup());
    parameters[TEAM_ROLES_PARAMETER] = arnListParameter('Pre-created roles of the app functions (iam_role_arn in .chalice/config.json); the deploy role passes them to Lambda', app.roleArns);
  }
  if (app.layerArns.length > 0) {
    groups.push(teamLayersGroup());
    parameters[TEAM_LAYERS_PARAMETER] = arnListParameter('Layer versions the app functions use (layers in .chalice/config.json)', app.layerArns);
  }
  if (app.restDomains.length > 0) {
    groups.push(domainsGroup('rest-domain', 'ManageRestDomains', app.restDomains.map((domain) => domain.name), 'base path mappings'));
    if (app.restDomains.some((domain) => domain.edge)) groups.push(edgeDomainGroup());
  }
  if (app.websocketDomains.length > 0) groups.push(domainsGroup('websocket-domain', 'ManageWebSocketDomains', app.websocketDomains, 'API mappings'));
  if (uses('vpc')) groups.push(vpcGroup());
  for (const stack of scope.stacks) if (stack.trafficShifting) groups.push(trafficShiftingGroup(stack, stack.trafficShifting));
  const covered = new Set(groups.flatMap((group) => group.features));
  const coverage: RoleCoverage = {
    features: CHALICE_FEATURES.map((feature) => feature.id).filter((id) => covered.has(id)),
    stackRoles: app.stackRoles,
    roleArns: app.roleArns,
    layerArns: app.layerArns,
    restDomains: app.restDomains,
    websocketDomains: app.websocketDomains,
    resourceTypes: [...new Set(groups.filter((group) => !group.stage).flatMap((group) => group.resourceTypes ?? []))],
    stageResourceTypes: groups.reduce<Record<string, string[]>>((byStage, { stage, resourceTypes }) => (stage && resourceTypes
      ? { ...byStage, [stage]: [...new Set([...(byStage[stage] ?? []), ...resourceTypes])] }
      : byStage), {}),
  };
  return {
    statements: groups.flatMap((group) => group.statements),
    exceptions: groups.flatMap((group) => group.exceptions ?? []),
    parameters,
    grants: groups.flatMap((group) => group.features.map((feature) => ({ feature, grants: group.grants, statements: group.statements.map((s) => s.Sid) }))),
    coverage,
  };
}

/** Metadata of a role holding these statements: each exception with its reason, for reviewers and cfn_nag. */
export function exceptionsMetadata(exceptions: RoleException[]): Record<string, Json> {
  return {
    SecurityRuleExceptions: exceptions.map(({ rule, statement, reason }) => ({ Rule: rule, Statement: statement, Reason: reason })),
    cfn_nag: { rules_to_suppress: [{ id: 'W11', reason: 'see SecurityRuleExceptions' }] },
  };
}
