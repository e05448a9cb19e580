// The artifacts' encryption key. A single-account pipeline has an optional customer managed KMS key (security rules:
// S3 encryption at least, a KMS key as an option): a stack parameter, empty keeps S3-managed keys. A pipeline with a
// stage in another account must share its artifacts, which only a customer managed key allows: the stack creates it.
import type { Project } from '../../answers/project.js';
import { arnOf, ref, type Json, type Resources, type Statement } from '../cfn.js';
import { artifactKey, readersOf } from './accounts.js';
import { crossAccount, placements } from './placement.js';

export const KMS_KEY_PARAMETER = 'ArtifactKmsKeyArn';
const KMS_CONDITION = 'UseArtifactKmsKey';
/** The key the stack creates when a stage is in another account. */
export const ARTIFACT_KEY = 'ArtifactKey';

export const kmsKeyParameter: Record<string, Json> = {
  Type: 'String',
  Default: '',
  AllowedPattern: '^$|^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$',
  Description: 'Optional KMS key (ARN) of the artifacts, for the pipeline and build roles; empty: S3-managed encryption',
};

export function encryptionParameters(project: Project): Record<string, Record<string, Json>> {
  return crossAccount(project) ? {} : { [KMS_KEY_PARAMETER]: kmsKeyParameter };
}

export function encryptionConditions(project: Project): Record<string, Json> | undefined {
  return crossAccount(project) ? undefined : { [KMS_CONDITION]: { 'Fn::Not': [{ 'Fn::Equals': [ref(KMS_KEY_PARAMETER), ''] }] } };
}

export function encryptionResources(project: Project): Resources {
  if (!crossAccount(project)) return {};
  // Readers: the stages deployed from this region's store (the others read the store of their own region).
  const readers = readersOf(project, placements(project).filter((placement) => !placement.region));
  return { [ARTIFACT_KEY]: artifactKey(readers, 'Encrypts the pipeline artifacts; the target accounts\' action roles may decrypt them') };
}

/** `withKey(key)` with the artifact key, or `otherwise` (by default: the property is left out) when there is none. */
export function withArtifactKey(project: Project, withKey: (key: Json) => Json, otherwise: Json = ref('AWS::NoValue')): Json {
  if (crossAccount(project)) return withKey(arnOf(ARTIFACT_KEY));
  return { 'Fn::If': [KMS_CONDITION, withKey(ref(KMS_KEY_PARAMETER)), otherwise] };
}

/** Encrypt and decrypt artifacts with the key, for the roles that read and write them (only when there is a key). */
export function artifactKeyStatement(project: Project): Statement {
  const statement: Statement = { Sid: 'UseArtifactKey', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Resource: [ref(KMS_KEY_PARAMETER)] };
  return crossAccount(project) ? { ...statement, Resource: [arnOf(ARTIFACT_KEY)] } : { ...statement, OnlyIf: KMS_CONDITION };
}
