// Deploying the app stacks: the CloudFormation role (built by ../deploy-role.ts for the app's stacks) and the
// change-set actions of the Beta and Production stages.
import type { Project } from '../../answers/project.js';
import { actionType, arn, arnOf, passRole, policyDocument, serviceRole, sub, type Json, type Resources, type Statement } from '../cfn.js';
import { deployRole, exceptionsMetadata, type DeployRole, type RoleScope } from '../deploy-role.js';
import { ALIAS_SCRIPT_PATH, CODEDEPLOY_ROLE, MERGE_TEMPLATE_PATH, prodParameterOverrides } from './traffic-shifting.js';

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
  /** Traffic shifting: the merge template `chalice package` applies and the script that re-points the API. */
  trafficShifting?: { mergeTemplate: string; aliasScript: string; deploymentType: string };
  /** Stack parameters the change set passes (by reference to this stack's resources). */
  parameterOverrides?: Json;
}

export const BUILD_ARTIFACT = 'CompiledCFNTemplate';

export function appStages(project: Project): AppStage[] {
  const beta: AppStage = { stage: 'Beta', chaliceStage: 'beta', template: 'transformed-beta.yaml', outputArtifact: 'AppDeploymentValues', namespace: 'BetaStackOutputs' };
  const prod: AppStage = { stage: 'Prod', chaliceStage: 'prod', template: 'transformed-prod.yaml', outputArtifact: 'ProdDeploymentValues', namespace: 'ProdStackOutputs' };
  if (project.shiftsTraffic) {
    prod.trafficShifting = { mergeTemplate: MERGE_TEMPLATE_PATH, aliasScript: ALIAS_SCRIPT_PATH, deploymentType: project.prodDeployment! };
    prod.parameterOverrides = prodParameterOverrides(project);
  }
  return project.production ? [beta, prod] : [beta];
}

/** Fn::Sub text of an app stack's name (project.ts derives it: shortened for a long app name). */
const stackName = (project: Project, stage: AppStage) => project.appStacks[stage.chaliceStage].sub;

/** Change set, then execute: a failed change set never touches the running stack. */
export function deployActions(project: Project, stage: AppStage): Json[] {
  const action = (verb: 'Create' | 'Execute', runOrder: number, configuration: Record<string, Json>, rest: Record<string, Json>): Json => ({
    Name: `${verb}${stage.stage}ChangeSet`,
    ActionTypeId: actionType('Deploy', 'CloudFormation'),
    Configuration: { ...configuration, ChangeSetName: sub(`\${ApplicationName}${stage.stage}ChangeSet`), StackName: sub(stackName(project, stage)) },
    ...rest,
    RunOrder: runOrder,
  });
  return [
    action('Create', 1, {
      ActionMode: 'CHANGE_SET_REPLACE',
      TemplatePath: `${BUILD_ARTIFACT}::${stage.template}`,
      Capabilities: 'CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND',
      RoleArn: arnOf('CFNDeployRole'),
      ...(stage.parameterOverrides ? { ParameterOverrides: stage.parameterOverrides } : {}),
    }, { InputArtifacts: [{ Name: BUILD_ARTIFACT }] }),
    action('Execute', 2, { ActionMode: 'CHANGE_SET_EXECUTE', OutputFileName: 'StackOutputs.json' }, {
      Namespace: stage.namespace,
      OutputArtifacts: [{ Name: stage.outputArtifact }],
    }),
  ];
}

/** The app stacks the pipeline deploys, for the deploy role's scope. */
export function appStackScope(project: Project): RoleScope {
  return {
    appName: '${ApplicationName}',
    stacks: appStages(project).map((stage) => ({
      stackName: stackName(project, stage),
      generatedPrefix: project.appStacks[stage.chaliceStage].generatedPrefix.sub,
      chaliceStage: stage.chaliceStage,
      ...(stage.trafficShifting ? { trafficShifting: { deploymentType: stage.trafficShifting.deploymentType, codeDeployRole: arnOf(CODEDEPLOY_ROLE) } } : {}),
    })),
  };
}

/** The deploy role of this project's app (tailored to what the app uses). */
export function projectDeployRole(project: Project): DeployRole {
  return deployRole(appStackScope(project), project.chaliceApp);
}

/** The CloudFormation role: what the app's Chalice SAM stacks create, and nothing else (lib/cloudformation/deploy-role.ts). */
export function deployRoleResources(project: Project): Resources {
  const role = projectDeployRole(project);
  return {
    CFNDeployRole: {
      ...serviceRole('cloudformation.amazonaws.com', 'Deploys the Chalice app stacks (scope: see README "Deploy role")', {
        Policies: [{ PolicyName: 'DeployChaliceApp', PolicyDocument: policyDocument(role.statements) }],
      }),
      // The statements that cannot name the app stacks' resources, with why (security-rules: a written justification).
      Metadata: exceptionsMetadata(role.exceptions),
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
      Resource: appStackScope(project).stacks.map(({ stackName: stack }) => arn('cloudformation', `stack/${stack}/*`)),
    },
    { Sid: 'ExpandServerlessTransform', Action: ['cloudformation:CreateChangeSet'], Resource: [sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:aws:transform/Serverless-2016-10-31')] },
    passRole('PassDeployRole', [arnOf('CFNDeployRole')], 'cloudformation.amazonaws.com'),
  ];
}
