// target-account.json: deployed once per stage in the stage's account and region (`make target-account STAGE=prod`),
// before the pipeline. It creates the two roles pipeline.json points at there: the action role CodePipeline assumes
// (trusting only the pipeline account's pipeline role) and the CloudFormation deploy role (the same policy as
// CFNDeployRole). The artifacts and packaged code stay in the pipeline account; its bucket and key policies grant
// these roles, and these roles' own policies allow reading there. Prod shifting traffic here also gets its CodeDeploy role;
// a reviewed stage its review role (the pipeline's change review reads the stage's change set and template with it).
import type { Project } from '../answers/project.js';
import { ACCOUNT_ID_PATTERN, APP_NAME_PATTERN } from '../answers/rules.js';
import { arnOf, conditionOfSome, passRole, policyDocument, serviceRole, sub, type Json, type Statement } from './cfn.js';
import { exceptionsMetadata } from './deploy-role.js';
import { appStackArn, appStages, placedDeployPolicies, type AppStage } from './pipeline/deploy.js';
import type { PipelineTemplate } from './pipeline/template.js';
import { REVIEW_READS, remoteReviews } from './pipeline/review.js';
import { CODEDEPLOY_ROLE, codeDeployRole } from './pipeline/traffic-shifting.js';
import {
  actionRoleName, changeReviewRoleName, codeDeployRoleName, deployRoleName, inOtherAccount, pipelineRoleName, reviewRoleName,
} from './pipeline/placement.js';

/** The same sections as pipeline.json. */
export type TargetAccountTemplate = PipelineTemplate;

/** With two stages in other accounts one file serves both: what names a stage's stack holds only for that Stage. */
const deploysStage = (stage: AppStage) => `Deploys${stage.stage}`;

/** A role the pipeline account assumes: its account root, narrowed to exactly one role there by aws:PrincipalArn. */
function trustingOnly(roleName: string): Json {
  // The account root with aws:PrincipalArn: the trust holds before that role exists, and only it may assume.
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { AWS: sub('arn:${AWS::Partition}:iam::${PipelineAccountId}:root') },
      Action: ['sts:AssumeRole'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': sub(`arn:\${AWS::Partition}:iam::\${PipelineAccountId}:role/${roleName}`) } },
    }],
  };
}

/** Objects of the pipeline account's buckets: their names are generated, so the account is the scope here. */
const pipelineAccountObjects = (sid: string): Statement => ({
  Sid: sid,
  Action: ['s3:GetObject', 's3:GetObjectVersion'],
  Resource: [sub('arn:${AWS::Partition}:s3:::*/*')],
  Condition: { StringEquals: { 's3:ResourceAccount': sub('${PipelineAccountId}') } },
});

const BUCKET_REASON = 'The pipeline stack\'s buckets have generated names, unknown when this stack is deployed first; s3:ResourceAccount limits the statement to the pipeline account, whose bucket policies grant exactly this role';
const KEY_REASON = 'The pipeline stack\'s artifact key has a generated id, unknown when this stack is deployed first; the statement is limited to keys of the pipeline account in this region, whose key policy grants exactly this role';

export function targetAccountTemplate(project: Project): TargetAccountTemplate {
  const remote = appStages(project).filter(inOtherAccount);
  const stages = remote.map((stage) => stage.stage);
  const onlyIf = (stage: AppStage) => (remote.length > 1 ? deploysStage(stage) : undefined);
  const actionStatements: Statement[] = [
    ...remote.map((stage): Statement => ({
      Sid: `Deploy${stage.stage}AppStack`,
      Action: [
        'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:ExecuteChangeSet',
        'cloudformation:DeleteChangeSet', 'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents',
      ],
      Resource: [appStackArn(project, stage, '${AWS::Region}')],
      OnlyIf: onlyIf(stage),
    })),
    { Sid: 'ExpandServerlessTransform', Action: ['cloudformation:CreateChangeSet'], Resource: [sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:aws:transform/Serverless-2016-10-31')] },
    passRole('PassDeployRole', [arnOf('DeployRole')], 'cloudformation.amazonaws.com'),
    pipelineAccountObjects('ReadArtifacts'),
    { Sid: 'DecryptArtifacts', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: [sub('arn:${AWS::Partition}:kms:${AWS::Region}:${PipelineAccountId}:key/*')] },
  ];
  // The same policy as CFNDeployRole, for the stage's stack here; the packaged code is read from the pipeline account.
  const packagedCode = () => {
    const { Resource, Condition } = pipelineAccountObjects('ReadPackagedCode');
    return { Resource, Condition };
  };
  const placed = remote.map((stage) => ({ stage, ...placedDeployPolicies(project, [{ ...stage, region: undefined }], packagedCode) }));
  const policies: Json[] = placed.flatMap(({ stage, policies: own }) => own.map((policy) => {
    const named = { ...(policy as Record<string, Json>), PolicyName: `DeployChaliceApp${stage.stage}` };
    return onlyIf(stage) ? { 'Fn::If': [deploysStage(stage), named, { Ref: 'AWS::NoValue' }] } : named;
  }));
  const role = placed[0].role;
  const roles = project.roleNamePrefix.sub;
  // A stage shifting traffic here: its CodeDeploy role too (named: the stage's change set passes it by name). One
  // target shifting keeps the name it always had; several take theirs from the Stage parameter.
  const shifting = remote.filter((stage) => stage.trafficShifting);
  const shiftingHere = conditionOfSome(shifting, remote, deploysStage, 'ShiftsTrafficHere');
  const codeDeployName = shifting.length > 1 ? sub(codeDeployRoleName(roles, '${Stage}')) : undefined;
  const codeDeploy = shifting.length > 0 ? { ...codeDeployRole(project, shifting, true, codeDeployName), ...(shiftingHere.name ? { Condition: shiftingHere.name } : {}) } : undefined;
  // A reviewed stage: the review role the pipeline's change review reads this stage's stack with, and nothing else.
  const reviewed = remoteReviews(project);
  const reviewedHere = conditionOfSome(reviewed, remote, deploysStage, 'ReviewsHere');
  const conditions: Record<string, Json> = {
    ...Object.fromEntries(remote.map((stage) => [deploysStage(stage), { 'Fn::Equals': [{ Ref: 'Stage' }, stage.stage] }])),
    ...shiftingHere.declare,
    ...reviewedHere.declare,
  };
  const exception = (statement: string, reason: string) => ({ Rule: 'IAM_RESOURCES_SCOPED (W11)', Statement: statement, Reason: reason });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Roles the ${project.appName} pipeline uses in a target account (stages ${stages.join(', ')}); deploy it there before the pipeline (generator-chalice-pipeline)`,
    Parameters: {
      ApplicationName: { Type: 'String', Default: project.appName, AllowedPattern: APP_NAME_PATTERN, Description: 'Chalice app name, as in pipeline.json; names the app stack and the roles' },
      Stage: {
        Type: 'String', AllowedValues: stages, ...(stages.length === 1 ? { Default: stages[0] } : {}),
        Description: 'The pipeline stage deployed into this account and region (make target-account STAGE=beta|prod)',
      },
      ...role.parameters,
      PipelineAccountId: { Type: 'String', AllowedPattern: ACCOUNT_ID_PATTERN, Description: 'Account of the pipeline stack (make deploy), trusted to assume the action role' },
    },
    ...(remote.length > 1 ? { Conditions: conditions } : {}),
    Resources: {
      PipelineActionRole: {
        Type: 'AWS::IAM::Role',
        Metadata: {
          SecurityRuleExceptions: [exception('ReadArtifacts', BUCKET_REASON), exception('DecryptArtifacts', KEY_REASON)],
          cfn_nag: { rules_to_suppress: [{ id: 'W11', reason: KEY_REASON }] },
        },
        Properties: {
          RoleName: sub(actionRoleName(roles, '${Stage}')),
          Description: sub(`Assumed by ${pipelineRoleName(roles)} of account \${PipelineAccountId} to deploy the \${Stage} app stack here`),
          AssumeRolePolicyDocument: trustingOnly(pipelineRoleName(roles)),
          Policies: [{ PolicyName: 'DeployAppStack', PolicyDocument: policyDocument(actionStatements) }],
        },
      },
      DeployRole: {
        ...serviceRole('cloudformation.amazonaws.com', 'Deploys the Chalice app stack of this stage (the same scope as CFNDeployRole in pipeline.json)', {
          RoleName: sub(deployRoleName(roles, '${Stage}')),
          Policies: policies,
        }),
        Metadata: exceptionsMetadata([...role.exceptions, { statement: 'ReadPackagedCode', rule: 'IAM_RESOURCES_SCOPED (W11)', reason: BUCKET_REASON }]),
      },
      ...(codeDeploy ? { [CODEDEPLOY_ROLE]: codeDeploy } : {}),
      ...(reviewed.length > 0 ? {
        ReviewRole: {
          Type: 'AWS::IAM::Role',
          ...(reviewedHere.name ? { Condition: reviewedHere.name } : {}),
          Properties: {
            RoleName: sub(reviewRoleName(roles, '${Stage}')),
            Description: sub(`Assumed by ${changeReviewRoleName(roles)} of account \${PipelineAccountId} to read the \${Stage} app stack's change sets and template before a release`),
            AssumeRolePolicyDocument: trustingOnly(changeReviewRoleName(roles)),
            Policies: [{
              PolicyName: 'ReadAppStack',
              PolicyDocument: policyDocument(reviewed.map((stage): Statement => ({
                Sid: `Read${stage.stage}AppStack`, Action: REVIEW_READS, Resource: [appStackArn(project, stage, '${AWS::Region}')], OnlyIf: onlyIf(stage),
              }))),
            }],
          },
        },
      } : {}),
    },
    Outputs: {
      ActionRoleArn: { Description: 'The role the pipeline\'s deploy actions of this stage run as', Value: arnOf('PipelineActionRole') },
      DeployRoleArn: { Description: 'The role CloudFormation deploys this stage\'s app stack with', Value: arnOf('DeployRole') },
      ...(codeDeploy ? {
        CodeDeployRoleArn: {
          Description: 'The role CodeDeploy shifts production traffic with (the prod change set passes it)',
          Value: arnOf(CODEDEPLOY_ROLE), ...(codeDeploy.Condition ? { Condition: codeDeploy.Condition } : {}),
        },
      } : {}),
      ...(reviewed.length > 0 ? {
        ReviewRoleArn: {
          Description: 'The role the pipeline\'s change review reads this stage\'s change sets and template with',
          Value: arnOf('ReviewRole'), ...(reviewedHere.name ? { Condition: reviewedHere.name } : {}),
        },
      } : {}),
    },
  };
}
