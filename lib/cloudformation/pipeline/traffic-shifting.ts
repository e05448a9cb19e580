// Canary / linear production releases: what the prod app stack gains (a merge template for `chalice package`) and
// the CodeDeploy role created beforehand in prod's account (the deploy role's part: trafficShiftingGroup in ../deploy-role.ts).
import type { Project } from '../../answers/project.js';
import { policyDocument, serviceRole, sub, type Json, type Resources } from '../cfn.js';
import { accountOf, codeDeployRoleName, inOtherAccount, regionOf, roleArnIn } from './placement.js';

/** The alias API Gateway calls; CodeDeploy moves it from the old version to the new one. */
export const ALIAS = 'live';
/** Files the generated repository holds for traffic shifting (the buildspec and the Makefile run them). */
export const MERGE_TEMPLATE_PATH = 'release/prod-traffic-shifting.json';
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
export function trafficShiftingMergeTemplate(project: Project): Json {
  const resources: Record<string, Json> = {};
  for (const fn of SHIFTED_FUNCTIONS) {
    const alarms = errorAlarms(fn);
    resources[fn] = {
      Properties: {
        AutoPublishAlias: ALIAS,
        DeploymentPreference: {
          Type: project.prodDeployment ?? 'AllAtOnce',
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

/**
 * The pre-created CodeDeploy role: it may move the prod stack's aliases and read its alarms, nothing else. The
 * pipeline stack creates it when prod is in its account (in prod's region when that differs); target-account.json
 * creates it, named, in prod's account when prod is there (`inTarget`: its own account and region).
 */
export function codeDeployRole(project: Project, inTarget = false): Resources[string] {
  const prod = project.placements[1]!;
  // In target-account.json the stack is in prod's own region.
  const region = inTarget ? '${AWS::Region}' : regionOf(prod);
  const inProd = (service: string, resource: string) => sub(`arn:\${AWS::Partition}:${service}:${region}:\${AWS::AccountId}:${resource}`);
  return serviceRole('codedeploy.amazonaws.com', 'Shifts traffic between versions of the production functions', {
    ...(inTarget ? { RoleName: sub(codeDeployRoleName(project.roleNamePrefix.sub)) } : {}),
    Policies: [{
      PolicyName: 'ShiftProdTraffic',
      PolicyDocument: policyDocument([
        {
          Sid: 'MoveProdAliases',
          Action: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
          Resource: [inProd('lambda', `function:${project.appStacks.prod.generatedPrefix.sub}*`)],
        },
        { Sid: 'ReadProdAlarms', Action: ['cloudwatch:DescribeAlarms'], Resource: [inProd('cloudwatch', `alarm:${project.appStacks.prod.sub}-*`)] },
      ]),
    }],
  });
}

/** The CodeDeploy role in pipeline.json: when production shifts traffic in the pipeline's own account. */
export function codeDeployRoleResources(project: Project): Resources {
  if (!project.shiftsTraffic || inOtherAccount(project.placements[1]!)) return {};
  return { [CODEDEPLOY_ROLE]: codeDeployRole(project) };
}

/** ParameterOverrides of the prod change set: the CodeDeploy role, by reference (in prod's account, by its name). */
export function prodParameterOverrides(project: Project): Json | undefined {
  if (!project.shiftsTraffic) return undefined;
  const prod = project.placements[1]!;
  const role = inOtherAccount(prod) ? roleArnIn(accountOf(prod), codeDeployRoleName(project.roleNamePrefix.sub)) : `\${${CODEDEPLOY_ROLE}.Arn}`;
  return sub(JSON.stringify({ [CODEDEPLOY_ROLE_PARAMETER]: role }));
}
