// pipeline-region.json: the pipeline account's artifact store in another region. One stack cannot create a bucket
// in another region, and CodePipeline needs a store in each region it deploys to (plus the packaged Lambda code in
// the function's region), so `make deploy` deploys this small stack in each other region first and passes its
// outputs to pipeline.json. The same logical IDs as the pipeline's own buckets: the same rules hold for both.
import type { Project } from '../answers/project.js';
import { ACCOUNT_ID_PATTERN, APP_NAME_PATTERN } from '../answers/rules.js';
import { arnOf, ref, type Json } from './cfn.js';
import { artifactKey, artifactReadGrants, packageReadGrants, readersOf } from './pipeline/accounts.js';
import {
  REGION_PATTERN, accountParameter, inOtherAccount, otherRegions, regionParameter, type Placement,
} from './pipeline/placement.js';
import { artifactBucket, bucketPolicy, kmsEncryption, packageBucket } from './pipeline/storage.js';
import type { PipelineTemplate } from './pipeline/template.js';

/** The sections of pipeline.json; no parameters when no stage in another account reads this region's store. */
export type PipelineRegionTemplate = Omit<PipelineTemplate, 'Parameters'> & Partial<Pick<PipelineTemplate, 'Parameters'>>;

/** The condition under which a stage in another account deploys from the region this stack is in. */
const deploysHere = (stage: Placement) => `${stage.stage}DeploysHere`;

export function pipelineRegionTemplate(project: Project): PipelineRegionTemplate {
  const elsewhere = otherRegions(project);
  // One file for every other region: a remote stage's grants hold only in the stack of its own region.
  const remote = elsewhere.flatMap((entry) => entry.placements).filter(inOtherAccount);
  const readers = readersOf(project, remote, deploysHere);
  const parameters: Record<string, Record<string, Json>> = {};
  const conditions: Record<string, Json> = {};
  // The target roles' names follow ApplicationName unless a long app name gave them a fixed, shortened prefix.
  if (remote.length > 0 && project.roleNamePrefix.sub.includes('${ApplicationName}')) {
    parameters.ApplicationName = { Type: 'String', Default: project.appName, AllowedPattern: APP_NAME_PATTERN, Description: 'Chalice app name, as in pipeline.json; names the target accounts\' roles' };
  }
  for (const stage of remote) {
    parameters[accountParameter(stage)] = { Type: 'String', Default: stage.accountId!, AllowedPattern: ACCOUNT_ID_PATTERN, Description: `Account the ${stage.stage} stage deploys into` };
    parameters[regionParameter(stage)] = { Type: 'String', Default: stage.region!, AllowedPattern: REGION_PATTERN, Description: `Region the ${stage.stage} stage deploys into` };
    conditions[deploysHere(stage)] = { 'Fn::Equals': [ref('AWS::Region'), ref(regionParameter(stage))] };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Artifact store of the ${project.appName} pipeline in ${elsewhere.map((entry) => entry.region).join(', ')}: deployed there by make deploy before pipeline.json (generator-chalice-pipeline)`,
    ...(remote.length > 0 ? { Parameters: parameters, Conditions: conditions } : {}),
    Resources: {
      ArtifactKey: artifactKey(readers, 'Encrypts the pipeline artifacts copied into this region'),
      ApplicationBucket: packageBucket('Lambda code packaged by `aws cloudformation package` for this region'),
      ApplicationBucketPolicy: bucketPolicy('ApplicationBucket', packageReadGrants('ApplicationBucket', readers)),
      ArtifactBucketStore: artifactBucket('CodePipeline artifacts copied into this region', kmsEncryption(arnOf('ArtifactKey'))),
      ArtifactBucketStorePolicy: bucketPolicy('ArtifactBucketStore', artifactReadGrants('ArtifactBucketStore', readers)),
    },
    // pipeline.json takes these as <RegionId><OutputKey> (EuWest1ArtifactBucket, ...).
    Outputs: {
      ArtifactBucket: { Description: 'Artifact bucket of this region', Value: ref('ArtifactBucketStore') },
      ArtifactKeyArn: { Description: 'Key of the artifacts of this region', Value: arnOf('ArtifactKey') },
      PackageBucket: { Description: 'Bucket of the packaged Lambda code of this region', Value: ref('ApplicationBucket') },
    },
  };
}
