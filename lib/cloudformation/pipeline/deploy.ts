// Deploying the app stacks: the CloudFormation role (scoped to what a Chalice SAM stack creates) and the
// change-set actions of the Beta and Production stages.
import type { Project } from '../../answers/project.js';
import { actionType, arn, arnOf, passRole, policyDocument, serviceRole, sub, type Json, type Resources, type Statement } from '../cfn.js';

export interface AppStage {
  /** Pipeline stage name. */
  stage: 'Beta' | 'Prod';
  /** Chalice stage in .chalice/config.json and in `chalice package --stage`. */
  chaliceStage: 'beta' | 'prod';
  /** Build output file in the CompiledCFNTemplate artifact. */
  template: string;
  /** Artifact holding StackOutputs.json after the deploy. */
  outputArtifact: string;
  /** Variable namespace of the execute action (stack outputs as #{Namespace.EndpointURL}). */
  namespace: string;
}

export const BUILD_ARTIFACT = 'CompiledCFNTemplate';

export function appStages(project: Project): AppStage[] {
  const beta: AppStage = { stage: 'Beta', chaliceStage: 'beta', template: 'transformed-beta.yaml', outputArtifact: 'AppDeploymentValues', namespace: 'BetaStackOutputs' };
  const prod: AppStage = { stage: 'Prod', chaliceStage: 'prod', template: 'transformed-prod.yaml', outputArtifact: 'ProdDeploymentValues', namespace: 'ProdStackOutputs' };
  return project.production ? [beta, prod] : [beta];
}

const stackName = (stage: AppStage) => `\${ApplicationName}${stage.stage}Stack`;

/** Change set, then execute: a failed change set never touches the running stack. */
export function deployActions(stage: AppStage): Json[] {
  const action = (verb: 'Create' | 'Execute', runOrder: number, configuration: Record<string, Json>, rest: Record<string, Json>): Json => ({
    Name: `${verb}${stage.stage}ChangeSet`,
    ActionTypeId: actionType('Deploy', 'CloudFormation'),
    Configuration: { ...configuration, ChangeSetName: sub(`\${ApplicationName}${stage.stage}ChangeSet`), StackName: sub(stackName(stage)) },
    ...rest,
    RunOrder: runOrder,
  });
  return [
    action('Create', 1, {
      ActionMode: 'CHANGE_SET_REPLACE',
      TemplatePath: `${BUILD_ARTIFACT}::${stage.template}`,
      Capabilities: 'CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND',
      RoleArn: arnOf('CFNDeployRole'),
    }, { InputArtifacts: [{ Name: BUILD_ARTIFACT }] }),
    action('Execute', 2, { ActionMode: 'CHANGE_SET_EXECUTE', OutputFileName: 'StackOutputs.json' }, {
      Namespace: stage.namespace,
      OutputArtifacts: [{ Name: stage.outputArtifact }],
    }),
  ];
}

/** ARNs of one kind of resource in every app stack: their names start with the stack name (CloudFormation adds a suffix). */
function inAppStacks(project: Project, service: string, resource: (stack: string) => string, options = {}): Json[] {
  return appStages(project).map((stage) => arn(service, resource(stackName(stage)), options));
}

/** The CloudFormation role: what a Chalice REST/event app's SAM stack creates, and nothing else. */
export function deployRoleResources(project: Project): Resources {
  const own = (service: string, resource: (stack: string) => string, options = {}) => inAppStacks(project, service, resource, options);
  const statements: Statement[] = [
    { Sid: 'ExpandServerlessTransform', Action: ['cloudformation:CreateChangeSet'], Resource: [sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:aws:transform/Serverless-2016-10-31')] },
    {
      Sid: 'ManageAppFunctions',
      Action: [
        'lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration',
        'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:AddPermission', 'lambda:RemovePermission',
        'lambda:GetPolicy', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags', 'lambda:PublishVersion',
        'lambda:ListVersionsByFunction', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency',
        // CloudFormation's Lambda handler reads these back after a create and before a delete.
        'lambda:GetFunctionCodeSigningConfig', 'lambda:GetFunctionRecursionConfig', 'lambda:GetRuntimeManagementConfig',
      ],
      Resource: own('lambda', (stack) => `function:${stack}-*`),
    },
    {
      Sid: 'ManageAppApis',
      Action: ['apigateway:GET', 'apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH', 'apigateway:DELETE'],
      Resource: ['/restapis', '/restapis/*', '/apis', '/apis/*', '/tags/*'].map((path) => sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}::${path}`)),
    },
    {
      Sid: 'ManageAppRoles',
      Action: [
        'iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:TagRole', 'iam:UntagRole', 'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy',
        'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies',
      ],
      Resource: own('iam', (stack) => `role/${stack}-*`, { region: false }),
    },
    passRole('PassAppRolesToLambda', own('iam', (stack) => `role/${stack}-*`, { region: false }), 'lambda.amazonaws.com'),
    {
      Sid: 'ManageAppLogGroups',
      Action: [
        'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:TagResource',
        'logs:ListTagsForResource',
      ],
      Resource: own('logs', (stack) => `log-group:/aws/lambda/${stack}-*`),
    },
    // DescribeLogGroups filters by name prefix but authorises on the account's log groups as a whole.
    { Sid: 'FindAppLogGroups', Action: ['logs:DescribeLogGroups'], Resource: [arn('logs', 'log-group:*')] },
    {
      Sid: 'ManageAppSchedules',
      Action: [
        'events:PutRule', 'events:DeleteRule', 'events:DescribeRule', 'events:PutTargets', 'events:RemoveTargets', 'events:TagResource',
        'events:ListTargetsByRule',
      ],
      Resource: own('events', (stack) => `rule/${stack}-*`),
    },
    { Sid: 'ReadPackagedCode', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: [sub('${ApplicationBucket.Arn}/*')] },
  ];
  const reason = 'logs:DescribeLogGroups cannot be scoped below log-group:* of this account and region; CloudFormation calls it to read back the log groups of the app stacks';
  return {
    CFNDeployRole: {
      ...serviceRole('cloudformation.amazonaws.com', 'Deploys the Chalice app stacks (scope: see README "Deploy role")', {
        Policies: [{ PolicyName: 'DeployChaliceApp', PolicyDocument: policyDocument(statements) }],
      }),
      // The one statement that cannot name the app stacks' resources, with why (security-rules: a written justification).
      Metadata: {
        SecurityRuleExceptions: [{ Rule: 'IAM_RESOURCES_SCOPED (W11)', Statement: 'FindAppLogGroups', Reason: reason }],
        cfn_nag: { rules_to_suppress: [{ id: 'W11', reason }] },
      },
    },
  };
}

/** What the pipeline role needs to run the deploy actions. */
export function deployRunStatements(project: Project): Statement[] {
  return [
    {
      Sid: 'DeployAppStacks',
      Action: [
        'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:ExecuteChangeSet',
        'cloudformation:DeleteChangeSet', 'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents',
      ],
      Resource: inAppStacks(project, 'cloudformation', (stack) => `stack/${stack}/*`),
    },
    { Sid: 'ExpandServerlessTransform', Action: ['cloudformation:CreateChangeSet'], Resource: [sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:aws:transform/Serverless-2016-10-31')] },
    passRole('PassDeployRole', [arnOf('CFNDeployRole')], 'cloudformation.amazonaws.com'),
  ];
}
