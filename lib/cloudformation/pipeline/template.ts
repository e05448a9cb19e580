// The pipeline stack as data: parameters, resources and outputs assembled from one part per concern.
// Stages are a list, so an optional stage is simply absent (no dangling role, artifact or output).
import { BUILD_IMAGES } from '../../facts/aws.js';
import type { Project } from '../../answers/project.js';
import {
  APP_NAME_PATTERN, BRANCH_CHARS_PATTERN, CODECOMMIT_REPO_PATTERN, CONNECTION_ARN_PATTERN, EMAIL_PATTERN,
  PROVIDER_REPO_PATTERN,
} from '../../answers/rules.js';
import { buildProjects, buildResources, buildRunStatements } from './build.js';
import {
  actionType, arnOf, getAtt, policyDocument, ref, serviceRole, sub, type Json, type Resources, type Statement,
} from '../cfn.js';
import {
  artifactKeyStatement, encryptionConditions, encryptionParameters, encryptionResources, withArtifactKey,
} from './encryption.js';
import { BUILD_ARTIFACT, appStages, readsOutputsArtifact, deployRoleResources, deployRunStatements, projectDeployRole, type AppStage } from './deploy.js';
import { testsStageName } from '../../answers/release.js';
import {
  crossAccount, otherRegions, pipelineRoleName, placementParameters, regionParameter, regionalParameter,
  regionalParameters,
} from './placement.js';
import { SOURCE_ARTIFACT, connectionArnValue, sourceAction, sourceResources, sourceStatements, sourceTriggers } from './source.js';
import { bucketAccess, storageResources } from './storage.js';
import { codeDeployRoleResources } from './traffic-shifting.js';
import { UPDATE_STAGE, addSelfUpdate } from './self-update.js';
import { deployStageActions, reviewResources, stagesBefore, stagesBeforeSelfUpdate, withReviewBuild } from './review.js';
import { notificationOutputs, notificationParameters, notificationResources } from './notifications.js';

export interface PipelineTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters: Record<string, Record<string, Json>>;
  Conditions?: Record<string, Json>;
  Resources: Resources;
  Outputs: Record<string, Record<string, Json>>;
}

export function pipelineTemplate(project: Project): PipelineTemplate {
  const conditions = encryptionConditions(project);
  const template: Omit<PipelineTemplate, 'Outputs'> = {
    AWSTemplateFormatVersion: '2010-09-09',
    // The stages are the README's table (pipeline.json stays under the inline size limit).
    Description: `Continuous delivery of the Chalice app ${project.appName} (generator-chalice-pipeline)`,
    Parameters: parameters(project),
    ...(conditions ? { Conditions: conditions } : {}),
    Resources: {
      ...encryptionResources(project),
      ...storageResources(project),
      ...sourceResources(project),
      ...buildResources(project),
      ...deployRoleResources(project),
      ...codeDeployRoleResources(project),
      ...approvalResources(project),
      ...reviewResources(project),
      ...pipelineResources(project),
      ...notificationResources(project),
    },
  };
  const complete: PipelineTemplate = { ...template, Outputs: outputs(project, template.Resources) };
  addSelfUpdate(project, complete);
  // The self-update's broadening gate goes right before the stage that applies the pushed pipeline.json.
  const stages = complete.Resources.AppPipeline!.Properties!.Stages as { Name: string }[];
  const update = stages.findIndex((stage) => stage.Name === UPDATE_STAGE);
  if (update >= 0) stages.splice(update, 0, ...(stagesBeforeSelfUpdate(project) as { Name: string }[]));
  return complete;
}

function parameters(project: Project): PipelineTemplate['Parameters'] {
  const params: PipelineTemplate['Parameters'] = {
    ApplicationName: {
      Type: 'String', Default: project.appName, AllowedPattern: APP_NAME_PATTERN,
      Description: 'Chalice app name; prefixes the pipeline, the build projects and the app stacks',
    },
    BranchName: { Type: 'String', Default: project.branch, AllowedPattern: BRANCH_CHARS_PATTERN, Description: 'Branch the pipeline releases' },
    CodeBuildImage: {
      Type: 'String', Default: project.codebuildImage,
      AllowedValues: BUILD_IMAGES.filter((image) => image.arm === BUILD_IMAGES.find((i) => i.name === project.codebuildImage)?.arm).map((i) => i.name),
      Description: `CodeBuild image; must provide Python ${project.pythonVersion}`,
    },
  };
  if (project.usesConnection) {
    params.RepositoryId = { Type: 'String', Default: project.repository, AllowedPattern: PROVIDER_REPO_PATTERN, Description: `${project.source} repository (owner/repo)` };
    if (project.connectionArn) {
      params.ConnectionArn = { Type: 'String', Default: project.connectionArn, AllowedPattern: CONNECTION_ARN_PATTERN, Description: 'Existing CodeConnections connection' };
    }
  } else {
    params.RepositoryName = { Type: 'String', Default: project.repository, AllowedPattern: CODECOMMIT_REPO_PATTERN, Description: 'CodeCommit repository the stack creates and keeps' };
  }
  Object.assign(params, encryptionParameters(project));
  Object.assign(params, projectDeployRole(project).parameters);
  if (project.approvalEmail) {
    params.ApprovalEmail = { Type: 'String', Default: project.approvalEmail, AllowedPattern: EMAIL_PATTERN, Description: 'Notified when a release waits for approval' };
  }
  return { ...params, ...notificationParameters(project), ...placementParameters(project), ...regionalParameters(project) };
}

function approvalResources(project: Project): Resources {
  if (!project.approvalEmail) return {};
  return {
    ApprovalTopic: {
      Type: 'AWS::SNS::Topic',
      Metadata: {
        Justification: 'No KMS key: the AWS managed key alias/aws/sns does not let CodePipeline publish, and a customer key is an extra cost the team can add',
      },
      Properties: {
        DisplayName: sub('${ApplicationName} release approval'),
        Subscription: [{ Endpoint: ref('ApprovalEmail'), Protocol: 'email' }],
      },
    },
    ApprovalTopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [ref('ApprovalTopic')],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{
            Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: ref('ApprovalTopic'),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }],
        },
      },
    },
  };
}

function pipelineStages(project: Project): Json[] {
  const targets = appStages(project);
  const stages: Json[] = [
    { Name: 'Source', Actions: [sourceAction(project)] },
    {
      Name: 'Build',
      Actions: [{
        Name: 'Build', ActionTypeId: actionType('Build', 'CodeBuild'),
        Configuration: { ProjectName: ref('AppPackageBuild') },
        InputArtifacts: [{ Name: SOURCE_ARTIFACT }], OutputArtifacts: [{ Name: BUILD_ARTIFACT }], RunOrder: 1,
      }],
    },
  ];
  const { release } = project;
  release.stages.forEach((stage, index) => {
    const wave = targets.filter((target) => target.chaliceStage === stage.name);
    // The approval is part of its stage (review.ts): after the change sets, before their execution; a stage
    // without one may be gated (review, then an approval only when IAM widens). A wave shares its RunOrders.
    // A failed deploy after the first stage rolls that stage back to its last good release (V2 only).
    const last = index > 0;
    stages.push(...stagesBefore(project, stage), {
      Name: stage.id, Actions: deployStageActions(project, stage),
      ...(last && project.pipelineType === 'V2' ? { OnFailure: { Result: 'ROLLBACK' } } : {}),
    });
    if (stage.tests) {
      stages.push({
        Name: testsStageName(release, stage),
        Actions: wave.map((target) => ({
          Name: wave.length === 1 ? 'IntegrationTests' : `IntegrationTests${target.stage}`, ActionTypeId: actionType('Test', 'CodeBuild'),
          ...integrationTestInputs(target), RunOrder: 1,
        })),
      });
    }
  });
  return stages;
}

/**
 * The integration tests read the beta EndpointURL from the beta outputs artifact; a beta elsewhere passes it as a
 * variable of its execute action instead (an artifact written in another account or region is not copied back).
 */
function integrationTestInputs(target: AppStage): Record<string, Json> {
  if (readsOutputsArtifact(target)) {
    return {
      Configuration: { ProjectName: ref('IntegrationTestBuild'), PrimarySource: SOURCE_ARTIFACT },
      InputArtifacts: [{ Name: SOURCE_ARTIFACT }, { Name: target.outputArtifact }],
    };
  }
  const variables = [
    { name: 'ENDPOINT_URL', value: `#{${target.namespace}.EndpointURL}`, type: 'PLAINTEXT' },
    ...(target.chaliceStage === 'beta' ? [] : [{ name: 'EXPECTED_STAGE', value: target.chaliceStage, type: 'PLAINTEXT' }]),
  ];
  return {
    Configuration: { ProjectName: ref('IntegrationTestBuild'), PrimarySource: SOURCE_ARTIFACT, EnvironmentVariables: JSON.stringify(variables) },
    InputArtifacts: [{ Name: SOURCE_ARTIFACT }],
  };
}

/** The artifact stores of the other regions (from pipeline-region.json there): the pipeline copies artifacts into them. */
function regionalStoreStatements(project: Project): Statement[] {
  const regions = otherRegions(project).map(({ region }) => region);
  if (regions.length === 0) return [];
  const bucket = (region: string) => `arn:\${AWS::Partition}:s3:::\${${regionalParameter(region, 'ArtifactBucket')}}`;
  return [
    { Sid: 'ReadWriteRegionalArtifacts', Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'], Resource: regions.map((region) => sub(`${bucket(region)}/*`)) },
    { Sid: 'LocateRegionalArtifactBuckets', Action: ['s3:GetBucketVersioning', 's3:GetBucketLocation', 's3:ListBucket'], Resource: regions.map((region) => sub(bucket(region))) },
    {
      Sid: 'UseRegionalArtifactKeys',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      Resource: regions.map((region) => ref(regionalParameter(region, 'ArtifactKeyArn'))),
    },
  ];
}

function pipelineRoleStatements(project: Project): Statement[] {
  const statements: Statement[] = [
    bucketAccess('ReadWriteArtifacts', ['ArtifactBucketStore'], ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject']),
    { Sid: 'LocateArtifactBucket', Action: ['s3:GetBucketVersioning', 's3:GetBucketLocation', 's3:ListBucket'], Resource: [arnOf('ArtifactBucketStore')] },
    ...sourceStatements(project),
    artifactKeyStatement(project),
    ...regionalStoreStatements(project),
    ...withReviewBuild(project, buildRunStatements(project)),
    ...deployRunStatements(project),
  ];
  if (project.approvalEmail) statements.push({ Sid: 'NotifyApprovers', Action: ['sns:Publish'], Resource: [ref('ApprovalTopic')] });
  return statements;
}

/** One store, or (a stage in another region) one per region: the pipeline's own and each other region's. */
function artifactStores(project: Project): Record<string, Json> {
  const own: Json = { Type: 'S3', Location: ref('ArtifactBucketStore'), EncryptionKey: withArtifactKey(project, (key) => ({ Id: key, Type: 'KMS' })) };
  const regions = otherRegions(project);
  if (regions.length === 0) return { ArtifactStore: own };
  return {
    ArtifactStores: [
      { Region: ref('AWS::Region'), ArtifactStore: own },
      ...regions.map(({ region, placements }) => ({
        Region: ref(regionParameter(placements[0])),
        ArtifactStore: {
          Type: 'S3', Location: ref(regionalParameter(region, 'ArtifactBucket')),
          EncryptionKey: { Id: ref(regionalParameter(region, 'ArtifactKeyArn')), Type: 'KMS' },
        },
      })),
    ],
  };
}

function pipelineResources(project: Project): Resources {
  const triggers = sourceTriggers(project);
  // A target account trusts the pipeline's role by name (the role need not exist when target-account.json is deployed).
  const named: Record<string, Json> = crossAccount(project) ? { RoleName: sub(pipelineRoleName(project.roleNamePrefix.sub)) } : {};
  return {
    CodePipelineRole: serviceRole('codepipeline.amazonaws.com', 'Role of the release pipeline', {
      ...named,
      Policies: [{ PolicyName: 'RunPipeline', PolicyDocument: policyDocument(pipelineRoleStatements(project)) }],
    }),
    AppPipeline: {
      Type: 'AWS::CodePipeline::Pipeline',
      Properties: {
        Name: sub('${ApplicationName}Pipeline'),
        PipelineType: project.pipelineType,
        RoleArn: arnOf('CodePipelineRole'),
        ...artifactStores(project),
        RestartExecutionOnUpdate: false,
        Stages: pipelineStages(project),
        ...(triggers.length > 0 ? { Triggers: triggers } : {}),
      },
    },
  };
}

function outputs(project: Project, resources: Resources): PipelineTemplate['Outputs'] {
  const out: PipelineTemplate['Outputs'] = {};
  if (!project.usesConnection) {
    out.SourceRepoURL = { Description: 'HTTPS clone URL of the CodeCommit repository', Value: getAtt('SourceRepository', 'CloneUrlHttp') };
    out.SourceRepoSshURL = { Description: 'SSH clone URL of the CodeCommit repository', Value: getAtt('SourceRepository', 'CloneUrlSsh') };
  } else {
    out.ConnectionArn = { Description: 'The connection the source uses (approve it once in the console if PENDING)', Value: connectionArnValue(project) };
  }
  Object.assign(out, {
    S3ApplicationBucket: { Description: 'Bucket of the packaged Lambda code', Value: ref('ApplicationBucket') },
    CodeBuildRoleArn: { Description: 'Role of the CodeBuild projects', Value: arnOf('CodeBuildRole') },
    S3PipelineBucket: { Description: 'Artifact bucket of the pipeline', Value: ref('ArtifactBucketStore') },
    CodePipelineRoleArn: { Description: 'Role of the pipeline', Value: arnOf('CodePipelineRole') },
    ...('CFNDeployRole' in resources ? { CFNDeployRoleArn: { Description: 'Role CloudFormation uses to deploy the app stacks', Value: arnOf('CFNDeployRole') } } : {}),
    PipelineName: { Description: 'Name of the release pipeline', Value: ref('AppPipeline') },
  });
  for (const build of buildProjects(project)) {
    out[`${build.id}Name`] = { Description: 'CodeBuild project', Value: ref(build.id) };
  }
  if (project.approvalEmail) out.ApprovalTopicArn = { Description: 'SNS topic of the approval notifications', Value: ref('ApprovalTopic') };
  return { ...out, ...notificationOutputs(project) };
}
