// Canary / linear production releases: what the prod app stack gains (a merge template for `chalice package`) and
// the CodeDeploy role created beforehand in prod's account (the deploy role's part: trafficShiftingGroup in ../deploy-role.ts).
import type { Project } from '../../answers/project.js';
import { mergeTemplatePath, shiftsTraffic, type ReleaseStage } from '../../answers/release.js';
import type { ProdDeployment } from '../../facts/aws.js';
import { policyDocument, serviceRole, sub, type Json, type Resources } from '../cfn.js';
import { accountOf, codeDeployRoleName, inOtherAccount, regionOf, roleArnIn, type Placement } from './placement.js';

/** The alias API Gateway calls; CodeDeploy moves it from the old version to the new one. */
export const ALIAS = 'live';
/** Files the generated repository holds for traffic shifting (the buildspec and the Makefile run them). */
export const MERGE_TEMPLATE_PATH = mergeTemplatePath('prod');
export const ALIAS_SCRIPT_PATH = 'release/point_api_at_alias.py';
/** Parameter of the prod app stack: the pipeline passes the pre-created CodeDeploy role, so the transform makes none. */
export const CODEDEPLOY_ROLE_PARAMETER = 'CodeDeployRoleArn';
export const CODEDEPLOY_ROLE = 'CodeDeployRole';

/**
 * The functions that shift: Chalice's REST handler, the one serving requests. Authorizers are left out (API
 * Gateway caches their answers, so a percentage split says little and a rollback would not reach cached policies),
 * and so are event handlers (their sources call the function, not an alias, and their retries blur an error rate).
 */
export const SHIFTED_FUNCTIONS = ['APIHandler'] as const;

/** The alarms of one shifted function: its errors on the alias (every caller) and on the new version alone. */
function errorAlarms(fn: string): Resources {
  const alarm = (suffix: string, description: string, extraDimensions: Json[]): Resources[string] => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      // Named after the stack, so the CodeDeploy and deploy roles can be scoped to the stack's alarms.
      AlarmName: sub(`\${AWS::StackName}-${fn}-${suffix}`),
      AlarmDescription: description,
      Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1,
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
      Dimensions: [
        { Name: 'FunctionName', Value: { Ref: fn } },
        { Name: 'Resource', Value: sub(`\${${fn}}:${ALIAS}`) },
        ...extraDimensions,
      ],
    },
  });
  return {
    [`${fn}AliasErrorsAlarm`]: alarm('alias-errors', `Errors of ${fn} through alias ${ALIAS}: in ALARM, CodeDeploy stops the shift and rolls back`, []),
    [`${fn}NewVersionErrorsAlarm`]: alarm('new-version-errors', `Errors of the version of ${fn} being deployed: in ALARM, CodeDeploy stops the shift and rolls back`, [
      { Name: 'ExecutedVersion', Value: { 'Fn::GetAtt': [`${fn}.Version`, 'Version'] } },
    ]),
  };
}

/**
 * What `chalice package --merge-template` lays over the prod sam.json: an alias with a deployment preference per
 * shifted function, its alarms, and the invoke permission on the alias. The integration URIs, inside the API's
 * swagger, are out of a merge file's reach: release/point_api_at_alias.py re-points them.
 */
export function trafficShiftingMergeTemplate(project: Project, deployment: ProdDeployment | undefined = project.prodDeployment): Json {
  const resources: Record<string, Json> = {};
  for (const fn of SHIFTED_FUNCTIONS) {
    const alarms = errorAlarms(fn);
    resources[fn] = {
      Properties: {
        AutoPublishAlias: ALIAS,
        DeploymentPreference: {
          Type: deployment ?? 'AllAtOnce',
          Alarms: Object.keys(alarms).map((id) => ({ Ref: id })),
          Role: { Ref: CODEDEPLOY_ROLE_PARAMETER },
        },
      },
    };
    resources[`${fn}InvokePermission`] = { Properties: { FunctionName: { Ref: `${fn}.Alias` } } };
    Object.assign(resources, alarms);
  }
  return {
    Parameters: {
      [CODEDEPLOY_ROLE_PARAMETER]: {
        Type: 'String',
        AllowedPattern: '^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/.+$',
        Description: 'Role CodeDeploy uses to shift traffic (created by the pipeline stack; the pipeline passes it)',
      },
    },
    Resources: resources,
  };
}

/** The stages that shift traffic, each with its merge template (release/<stage>-traffic-shifting.json). */
export const shiftingStages = (project: Project): ReleaseStage[] => project.release.stages.filter(shiftsTraffic);

/** The targets of the stages that shift traffic. */
export const shiftingTargets = (project: Project): Placement[] => {
  const names = shiftingStages(project).map((stage) => stage.name);
  return project.placements.filter((placement) => names.includes(placement.chaliceStage));
};

/**
 * The pre-created CodeDeploy role: it may move the aliases of the shifting stacks and read their alarms, nothing
 * else. The pipeline stack creates one for the shifting targets in its account (in their regions); target-account.json
 * creates it, named, for the shifting targets there (`inTarget`: its own account and region).
 */
export function codeDeployRole(project: Project, targets: Placement[], inTarget = false, roleName?: Json): Resources[string] {
  // In target-account.json the stack is in the target's own region.
  const region = (target: Placement) => (inTarget ? '${AWS::Region}' : regionOf(target));
  const arns = (service: string, resource: (target: Placement) => string) =>
    [...new Set(targets.map((target) => `arn:\${AWS::Partition}:${service}:${region(target)}:\${AWS::AccountId}:${resource(target)}`))].map((arn) => sub(arn));
  return serviceRole('codedeploy.amazonaws.com', 'Shifts traffic to new function versions', {
    ...(inTarget ? { RoleName: roleName ?? sub(codeDeployRoleName(project.roleNamePrefix.sub, targets[0].stage)) } : {}),
    Policies: [{
      PolicyName: 'ShiftProdTraffic',
      PolicyDocument: policyDocument([
        {
          Sid: 'MoveProdAliases',
          Action: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
          Resource: arns('lambda', (target) => `function:${project.appStacks[target.chaliceStage].generatedPrefix.sub}*`),
        },
        { Sid: 'ReadProdAlarms', Action: ['cloudwatch:DescribeAlarms'], Resource: arns('cloudwatch', (target) => `alarm:${project.appStacks[target.chaliceStage].sub}-*`) },
      ]),
    }],
  });
}

/** The CodeDeploy role in pipeline.json: for the stages that shift traffic in the pipeline's own account. */
export function codeDeployRoleResources(project: Project): Resources {
  const local = shiftingTargets(project).filter((target) => !inOtherAccount(target));
  if (local.length === 0) return {};
  return { [CODEDEPLOY_ROLE]: codeDeployRole(project, local) };
}

/** ParameterOverrides of a shifting target's change set: the CodeDeploy role, by reference (in its account, by its name). */
export function prodParameterOverrides(project: Project, target: Placement): Json {
  const role = inOtherAccount(target) ? roleArnIn(accountOf(target), codeDeployRoleName(project.roleNamePrefix.sub, target.stage)) : `\${${CODEDEPLOY_ROLE}.Arn}`;
  return sub(JSON.stringify({ [CODEDEPLOY_ROLE_PARAMETER]: role }));
}
