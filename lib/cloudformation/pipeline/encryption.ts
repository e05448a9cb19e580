// An optional customer managed KMS key for the pipeline artifacts (security rules: S3 encryption at least, a KMS
// key as an option). A stack parameter, not an answer: empty keeps S3-managed keys, and it can be set at deploy time.
import { ref, type Json, type Statement } from '../cfn.js';

export const KMS_KEY_PARAMETER = 'ArtifactKmsKeyArn';
const KMS_CONDITION = 'UseArtifactKmsKey';

export const kmsKeyParameter: Record<string, Json> = {
  Type: 'String',
  Default: '',
  AllowedPattern: '^$|^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$',
  Description: 'Optional customer managed KMS key (ARN) for the pipeline artifacts; empty: S3-managed encryption. Its key policy must let the pipeline and build roles use it',
};

export const kmsConditions: Record<string, Json> = {
  [KMS_CONDITION]: { 'Fn::Not': [{ 'Fn::Equals': [ref(KMS_KEY_PARAMETER), ''] }] },
};

/** `whenKey` when a key is given, else `otherwise` (by default: the property is left out). */
export const ifKmsKey = (whenKey: Json, otherwise: Json = ref('AWS::NoValue')): Json => ({ 'Fn::If': [KMS_CONDITION, whenKey, otherwise] });

/** Encrypt and decrypt artifacts with the key, for the roles that read and write them (only when a key is given). */
export function artifactKeyStatement(): Statement {
  return {
    Sid: 'UseArtifactKey',
    Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    Resource: [ref(KMS_KEY_PARAMETER)],
    OnlyIf: KMS_CONDITION,
  };
}
