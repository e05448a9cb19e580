// The two buckets Chalice's template has (same logical IDs), made private, encrypted, TLS-only and tidy.
import { RETAIN, arnOf, ref, sub, type Json, type Resources, type Statement } from '../cfn.js';
import { KMS_KEY_PARAMETER, ifKmsKey } from './encryption.js';

const S3_MANAGED: Json = { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } };

function bucket(description: string, lifecycle: Json, encryption: Json = S3_MANAGED): Resources[string] {
  return {
    Type: 'AWS::S3::Bucket',
    ...RETAIN,
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

function tlsOnlyPolicy(bucketId: string): Resources[string] {
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
        }],
      },
    },
  };
}

export function storageResources(): Resources {
  return {
    // Packaged Lambda code: a deployed stack (and its rollback) may point at a package of any age, so current
    // objects never expire; only overwritten versions and abandoned uploads are cleaned up.
    ApplicationBucket: bucket('Lambda code packaged by `aws cloudformation package`', {
      Rules: [{
        Id: 'ExpireOverwrittenPackages', Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }],
    }),
    ApplicationBucketPolicy: tlsOnlyPolicy('ApplicationBucket'),
    ArtifactBucketStore: bucket('CodePipeline artifacts and the CodeBuild cache', {
      Rules: [{
        Id: 'ExpireOldArtifacts', Status: 'Enabled', ExpirationInDays: 90,
        NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }],
    }, ifKmsKey({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: ref(KMS_KEY_PARAMETER) }, BucketKeyEnabled: true }, S3_MANAGED)),
    ArtifactBucketStorePolicy: tlsOnlyPolicy('ArtifactBucketStore'),
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
