// Deploying the app stacks: the CloudFormation role (built by ../deploy-role.ts for the app's stacks) and the
// change-set actions of the Beta and Production stages, in the pipeline's account and region or elsewhere.
import type { Project } from '../../answers/project.js';
import { actionType, arnOf, passRole, policyDocument, ref, serviceRole, sub, type Json, type Resources, type Statement } from '../cfn.js';
import { deployRole, exceptionsMetadata, type DeployRole, type RoleScope } from '../deploy-role.js';
import { mergeTemplatePath, shiftsTraffic } from '../../answers/release.js';
import { ALIAS_SCRIPT_PATH, CODEDEPLOY_ROLE, prodParameterOverrides } from './traffic-shifting.js';
import {
  accountOf, actionRoleName, deployRoleName, elsewhere, inOtherAccount, regionId, regionOf, regionParameter,
  regionalParameter, roleArnIn, type Placement,
} from './placement.js';

export interface AppStage extends Placement {
  /** Build output file in the CompiledCFNTemplate artifact. */
  template: string;
  /** Artifact holding StackOutputs.json after the deploy (a stage elsewhere passes its outputs as variables only). */
  outputArtifact: string;
  /** Variable namespace of the execute action (stack outputs as #{Namespace.EndpointURL}). */
  namespace: string;
  /** Traffic shifting: the merge template `chalice package` applies and the script that re-points the API. */
  trafficShifting?: { mergeTemplate: string; aliasScript: string; deploymentType: string };
  /** Stack parameters the change set passes (by reference to this stack's resources). */
  parameterOverrides?: Json;
}

export const BUILD_ARTIFACT = 'CompiledCFNTemplate';

/**
 * The integration tests of beta in the pipeline's account and region read its outputs artifact, as they always did;
 * every other tested target passes its EndpointURL (and stage name) as variables.
 */
export const readsOutputsArtifact = (target: Placement) => target.chaliceStage === 'beta' && !elsewhere(target);

/** One per target of every stage, in release order: what the Build stage packages and the pipeline deploys. */
export function appStages(project: Project): AppStage[] {
  return project.release.stages.flatMap((stage) => {
    const targets = project.placements.filter((placement) => placement.chaliceStage === stage.name);
    return targets.map((placement): AppStage => ({
      ...placement,
      // A wave's targets in one region share the template packaged for that region's bucket.
      template: targets.length === 1 ? `transformed-${stage.name}.yaml` : `transformed-${stage.name}-${placement.region ?? project.region}.yaml`,
      // Beta's artifact keeps the name Chalice's own pipeline gave it.
      outputArtifact: placement.stage === 'Beta' ? 'AppDeploymentValues' : `${placement.stage}DeploymentValues`,
      namespace: `${placement.stage}StackOutputs`,
      ...(shiftsTraffic(stage) ? {
        trafficShifting: { mergeTemplate: mergeTemplatePath(stage.name), aliasScript: ALIAS_SCRIPT_PATH, deploymentType: stage.deployment },
        parameterOverrides: prodParameterOverrides(project, placement),
      } : {}),
    }));
  });
}

/** Fn::Sub text of an app stack's name (project.ts derives it: shortened for a long app name). */
const stackName = (project: Project, stage: { chaliceStage: string }) => project.appStacks[stage.chaliceStage].sub;

/** A stage's app stack (its ARN with any stack id), in its region or the given one (`${AWS::Region}` where it is deployed). */
export const appStackArn = (project: Project, stage: AppStage, region = regionOf(stage)): Json =>
  sub(`arn:\${AWS::Partition}:cloudformation:${region}:\${AWS::AccountId}:stack/${stackName(project, stage)}/*`);

/** The deploy role's scope entry of a stage's stack. */
const scopeOf = (project: Project, stage: AppStage) => ({
  stackName: stackName(project, stage),
  generatedPrefix: project.appStacks[stage.chaliceStage].generatedPrefix.sub,
  chaliceStage: stage.chaliceStage,
  // The CodeDeploy role has this logical id in pipeline.json and in target-account.json, wherever prod lives.
  ...(stage.trafficShifting ? { trafficShifting: { deploymentType: stage.trafficShifting.deploymentType, codeDeployRole: arnOf(CODEDEPLOY_ROLE) } } : {}),
});

/** The CloudFormation role a stage's change set runs with: CFNDeployRole here, or the deploy role of its account. */
const deployRoleArn = (project: Project, stage: AppStage): Json =>
  (inOtherAccount(stage) ? sub(roleArnIn(accountOf(stage), deployRoleName(project.roleNamePrefix.sub, stage.stage))) : arnOf('CFNDeployRole'));

/**
 * Change set, then execute: a failed change set never touches the running stack. The execute runs later than 2 when
 * a review and an approval run in between (review.ts): it then executes the change set they saw.
 */
export function deployActions(project: Project, stage: AppStage, executeRunOrder = 2): Json[] {
  // Another account: the action runs as that account's action role; another region: it runs there.
  const placed = {
    ...(inOtherAccount(stage) ? { RoleArn: sub(roleArnIn(accountOf(stage), actionRoleName(project.roleNamePrefix.sub, stage.stage))) } : {}),
    ...(stage.region ? { Region: ref(regionParameter(stage)) } : {}),
  };
  const action = (verb: 'Create' | 'Execute', runOrder: number, configuration: Record<string, Json>, rest: Record<string, Json>): Json => ({
    Name: `${verb}${stage.stage}ChangeSet`,
    ActionTypeId: actionType('Deploy', 'CloudFormation'),
    Configuration: { ...configuration, ChangeSetName: sub(`\${ApplicationName}${stage.stage}ChangeSet`), StackName: sub(stackName(project, stage)) },
    ...rest,
    ...placed,
    RunOrder: runOrder,
  });
  // The outputs of a stack elsewhere travel as variables (#{Namespace.EndpointURL}), not as an artifact to copy back.
  const outputs: Record<string, Json> = elsewhere(stage) ? {} : { OutputFileName: 'StackOutputs.json' };
  return [
    action('Create', 1, {
      ActionMode: 'CHANGE_SET_REPLACE',
      TemplatePath: `${BUILD_ARTIFACT}::${stage.template}`,
      Capabilities: 'CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND',
      RoleArn: deployRoleArn(project, stage),
      ...(stage.parameterOverrides ? { ParameterOverrides: stage.parameterOverrides } : {}),
    }, { InputArtifacts: [{ Name: BUILD_ARTIFACT }] }),
    action('Execute', executeRunOrder, { ActionMode: 'CHANGE_SET_EXECUTE', ...outputs }, {
      Namespace: stage.namespace,
      ...(elsewhere(stage) ? {} : { OutputArtifacts: [{ Name: stage.outputArtifact }] }),
    }),
  ];
}

/** The app_name Chalice names things after (the managed layer): the ApplicationName parameter, unless the app's own differs. */
export const chaliceNameIn = (project: Project): string => project.chaliceApp.chaliceName ?? '${ApplicationName}';

/** The app stacks the pipeline deploys, for the deploy role's scope. */
export function appStackScope(project: Project): RoleScope {
  return {
    appName: chaliceNameIn(project),
    stacks: appStages(project).map((stage) => scopeOf(project, stage)),
  };
}

/** The deploy role of this project's app (tailored to what the app uses). */
export function projectDeployRole(project: Project): DeployRole {
  return deployRole(appStackScope(project), project.chaliceApp);
}

/** A value with `${AWS::Region}` in every Fn::Sub text replaced: the same statements for a stack in another region. */
function inRegion<T>(value: T, region: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll('${AWS::Region}', region)) as T;
}

/**
 * The deploy role's inline policies for the given stages, one per region they live in (the role's statements name
 * their region as ${AWS::Region}); `packagedCode` says where the stages of a region read the packaged Lambda code.
 */
export function placedDeployPolicies(project: Project, stages: AppStage[], packagedCode: (region?: string) => Partial<Statement>): { policies: Json[]; role: DeployRole } {
  const regions = [...new Set(stages.map((stage) => stage.region))];
  const roles = regions.map((region) => {
    const here = stages.filter((stage) => stage.region === region);
    return { region, here, role: deployRole({ appName: chaliceNameIn(project), stacks: here.map((stage) => scopeOf(project, stage)) }, project.chaliceApp) };
  });
  const policies = roles.map(({ region, here, role }) => {
    const statements = role.statements.map((statement) => (statement.Sid === 'ReadPackagedCode' ? { ...statement, ...packagedCode(region) } : statement));
    const name = region ? `DeployChaliceApp${regionId(region)}` : 'DeployChaliceApp';
    const document = policyDocument(region ? inRegion(statements, `\${${regionParameter(here[0])}}`) : statements);
    return { PolicyName: name, PolicyDocument: document };
  });
  // The exceptions and parameters are the same whatever the stacks (they name statements and the app's ARNs).
  return { policies, role: roles[0].role };
}

/** The CloudFormation role of the stages in this account: what the app's Chalice SAM stacks create, and nothing else. */
export function deployRoleResources(project: Project): Resources {
  const local = appStages(project).filter((stage) => !inOtherAccount(stage));
  if (local.length === 0) return {};
  // The packaged code of a stage in another region is in that region's bucket (pipeline-region.json).
  const packagedCode = (region?: string): Partial<Statement> => (region ? { Resource: [sub(`arn:\${AWS::Partition}:s3:::\${${regionalParameter(region, 'PackageBucket')}}/*`)] } : {});
  const { policies, role } = placedDeployPolicies(project, local, packagedCode);
  return {
    CFNDeployRole: {
      ...serviceRole('cloudformation.amazonaws.com', 'Deploys the app stacks (scope: README "Deploy role")', { Policies: policies }),
      // The statements that cannot name the app stacks' resources, with why (security-rules: a written justification).
      Metadata: exceptionsMetadata(role.exceptions),
    },
  };
}

/** The SAM transform CloudFormation expands in each region the app stacks live in. */
const serverlessTransforms = (regions: string[]): Json[] =>
  [...new Set(regions)].map((region) => sub(`arn:\${AWS::Partition}:cloudformation:${region}:aws:transform/Serverless-2016-10-31`));

/** What the pipeline role needs to run the deploy actions. */
export function deployRunStatements(project: Project): Statement[] {
  const stages = appStages(project);
  const local = stages.filter((stage) => !inOtherAccount(stage));
  const remote = stages.filter(inOtherAccount);
  const statements: Statement[] = [];
  if (local.length > 0) {
    statements.push(
      {
        Sid: 'DeployAppStacks',
        Action: [
          'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:ExecuteChangeSet',
          'cloudformation:DeleteChangeSet', 'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents',
        ],
        Resource: local.map((stage) => appStackArn(project, stage)),
      },
      { Sid: 'ExpandServerlessTransform', Action: ['cloudformation:CreateChangeSet'], Resource: serverlessTransforms(local.map(regionOf)) },
      passRole('PassDeployRole', [arnOf('CFNDeployRole')], 'cloudformation.amazonaws.com'),
    );
  }
  // A stage in another account runs as the action role target-account.json created there: exactly those.
  if (remote.length > 0) {
    statements.push({ Sid: 'AssumeTargetActionRoles', Action: ['sts:AssumeRole'], Resource: remote.map((stage) => sub(roleArnIn(accountOf(stage), actionRoleName(project.roleNamePrefix.sub, stage.stage)))) });
  }
  return statements;
}
