// The two buckets Chalice's template has (same logical IDs), made private, encrypted, TLS-only and tidy.
import type { Project } from '../../answers/project.js';
import { arnOf, ref, sub, type Json, type Resource, type Resources, type Statement } from '../cfn.js';
import { STORE_RETENTION, artifactReadGrants, packageReadGrants, readersOf } from './accounts.js';
import { withArtifactKey } from './encryption.js';
import { placements } from './placement.js';

const S3_MANAGED: Json = { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } };

function bucket(description: string, lifecycle: Json, encryption: Json = S3_MANAGED): Resource {
  return {
    Type: 'AWS::S3::Bucket',
    ...STORE_RETENTION,
    Metadata: { Purpose: description },
    Properties: {
      BucketEncryption: { ServerSideEncryptionConfiguration: [encryption] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: lifecycle,
    },
  };
}

/** TLS only, plus the given grants (to the target accounts' roles). */
export function bucketPolicy(bucketId: string, grants: Json[] = []): Resource {
  return {
    Type: 'AWS::S3::BucketPolicy',
    Properties: {
      Bucket: ref(bucketId),
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [arnOf(bucketId), sub(`\${${bucketId}.Arn}/*`)],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }, ...grants],
      },
    },
  };
}

// Packaged Lambda code: a deployed stack (and its rollback) may point at a package of any age, so current
// objects never expire; only overwritten versions and abandoned uploads are cleaned up.
export const packageBucket = (description: string) => bucket(description, {
  Rules: [{
    Id: 'ExpireOverwrittenPackages', Status: 'Enabled',
    NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
  }],
});

export const artifactBucket = (description: string, encryption: Json) => bucket(description, {
  Rules: [{
    Id: 'ExpireOldArtifacts', Status: 'Enabled', ExpirationInDays: 90,
    NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
  }],
}, encryption);

export const kmsEncryption = (key: Json): Json => ({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key }, BucketKeyEnabled: true });

export function storageResources(project: Project): Resources {
  // The stages in the pipeline's region deploy from these buckets; the others from their region's (pipeline-region.json).
  const readers = readersOf(project, placements(project).filter((placement) => !placement.region));
  return {
    ApplicationBucket: packageBucket('Lambda code packaged by `aws cloudformation package`'),
    ApplicationBucketPolicy: bucketPolicy('ApplicationBucket', packageReadGrants('ApplicationBucket', readers)),
    ArtifactBucketStore: artifactBucket('CodePipeline artifacts and the CodeBuild cache', withArtifactKey(project, kmsEncryption, S3_MANAGED)),
    ArtifactBucketStorePolicy: bucketPolicy('ArtifactBucketStore', artifactReadGrants('ArtifactBucketStore', readers)),
  };
}

/** Read/write statements for the objects in the given buckets. */
export function bucketAccess(sid: string, bucketIds: string[], actions: string[]): Statement {
  return {
    Sid: sid,
    Action: actions,
    Resource: bucketIds.map((id) => sub(`\${${id}.Arn}/*`)),
  };
}
