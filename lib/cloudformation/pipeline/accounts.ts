// What the pipeline account grants the stages in other accounts: a customer managed key for the artifacts (the
// AWS managed aws/s3 key cannot be shared) and bucket-policy reads, each naming exactly the target accounts' roles.
// The principal is the account root narrowed by aws:PrincipalArn, so a role that does not exist yet breaks nothing.
import type { Project } from '../../answers/project.js';
import { RETAIN, sub, type Json, type Resource } from '../cfn.js';
import { accountOf, actionRoleName, deployRoleName, inOtherAccount, roleArnIn, type Placement } from './placement.js';

const KEY_ADMINISTRATION = [
  'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*',
  'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion',
];
const KEY_USE = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];
/** The target accounts only read artifacts (their CloudFormation actions write none). */
const KEY_READ = ['kms:Decrypt', 'kms:DescribeKey'];

const thisAccountRoot = sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root');

/**
 * A grant to one stage's role in its account: the account root as principal, the exact role as condition. With
 * `onlyIf` (a template condition) the statement exists only when that holds.
 */
function stageGrant(what: string, { stage, rolePrefix, onlyIf }: Reader, roleName: (prefix: string, stage: string) => string, action: string[], resource: Json): Json {
  const statement: Json = {
    Sid: `${stage.stage}${what}`,
    Effect: 'Allow',
    Principal: { AWS: sub(`arn:\${AWS::Partition}:iam::${accountOf(stage)}:root`) },
    Action: action,
    Resource: resource,
    Condition: { ArnEquals: { 'aws:PrincipalArn': sub(roleArnIn(accountOf(stage), roleName(rolePrefix, stage.stage))) } },
  };
  return onlyIf ? { 'Fn::If': [onlyIf, statement, { Ref: 'AWS::NoValue' }] } : statement;
}

/** The stages in other accounts among readers, each with the condition (if any) under which it reads this store. */
export interface Reader {
  stage: Placement;
  /** What the names of the stage's roles start with (project.roleNamePrefix). */
  rolePrefix: string;
  onlyIf?: string;
}

export const readersOf = (project: Project, stages: Placement[], onlyIf?: (stage: Placement) => string): Reader[] =>
  stages.filter(inOtherAccount).map((stage) => ({ stage, rolePrefix: project.roleNamePrefix.sub, onlyIf: onlyIf?.(stage) }));

/**
 * What happens to the artifact stores when their stack goes or replaces them: kept, and the key encrypting a kept
 * bucket with them (a deleted key would make the kept artifacts unreadable 30 days after `make destroy`).
 */
export const STORE_RETENTION = RETAIN;

/**
 * The artifact key of one region: this account administers it and lets its own roles' IAM policies use it; the
 * action roles of the stages in other accounts deployed from this region's store may decrypt.
 */
export function artifactKey(readers: Reader[], description: string): Resource {
  const statements: Json[] = [
    { Sid: 'AdministerKey', Effect: 'Allow', Principal: { AWS: thisAccountRoot }, Action: KEY_ADMINISTRATION, Resource: '*' },
    { Sid: 'UseThroughIamPoliciesOfThisAccount', Effect: 'Allow', Principal: { AWS: thisAccountRoot }, Action: KEY_USE, Resource: '*' },
    ...readers.map((reader) => stageGrant('ReadsArtifacts', reader, actionRoleName, KEY_READ, '*')),
  ];
  return {
    Type: 'AWS::KMS::Key',
    ...STORE_RETENTION,
    Properties: {
      Description: description,
      EnableKeyRotation: true,
      PendingWindowInDays: 30,
      KeyPolicy: { Version: '2012-10-17', Statement: statements },
    },
  };
}

const READ_OBJECTS = ['s3:GetObject', 's3:GetObjectVersion'];

/** Bucket-policy statements: the stages' action roles read the artifacts. */
export const artifactReadGrants = (bucketId: string, readers: Reader[]): Json[] =>
  readers.map((reader) => stageGrant('ReadsArtifacts', reader, actionRoleName, READ_OBJECTS, sub(`\${${bucketId}.Arn}/*`)));

/** Bucket-policy statements: the stages' deploy roles read the packaged code (Lambda reads it as the caller). */
export const packageReadGrants = (bucketId: string, readers: Reader[]): Json[] =>
  readers.map((reader) => stageGrant('ReadsPackagedCode', reader, deployRoleName, READ_OBJECTS, sub(`\${${bucketId}.Arn}/*`)));
