// The rules of security-rules.md as named checks over a parsed template. Each check returns its violations, each
// naming the resource (and statement) at fault, so a failing test says what to fix. Ids are the common linters' ones.
import { BUILD_IMAGES, RETIRED_IMAGES } from '../../lib/facts/aws.js';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A parsed template, loose enough for a test to break it on purpose. */
export interface CfnTemplate {
  Parameters?: Record<string, Record<string, unknown>>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, Record<string, unknown>>;
}

export interface TemplateCheck {
  id: string;
  check(template: CfnTemplate): string[];
}

// ---- reading template data -------------------------------------------------------------------------------------

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The object at value, or an empty one: lets a check read a missing section as "nothing set". */
export const objectAt = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});

/** IAM and CloudFormation accept one value or a list in many places. */
export const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

export function resourcesOfType(template: CfnTemplate, type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, objectAt(resource.Properties)]);
}

/** The logical ID a `{ Ref: X }` names, if value is one. */
export const refTarget = (value: unknown): string | undefined =>
  isObject(value) && typeof value.Ref === 'string' ? value.Ref : undefined;

/** Every string below value (Fn::Sub templates included), with the path to it. */
export function* stringsIn(value: unknown, path = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [index, item] of value.entries()) yield* stringsIn(item, `${path}[${index}]`);
  else if (isObject(value)) for (const [key, item] of Object.entries(value)) yield* stringsIn(item, path ? `${path}.${key}` : key);
}

export interface PolicyStatement {
  /** `Resource/PolicyName/Sid` (or the statement's index when it has no Sid). */
  where: string;
  statement: Record<string, unknown>;
}

/** Statements of every permission policy: identity policies, roles' inline policies and resource policies. */
export function policyStatements(template: CfnTemplate): PolicyStatement[] {
  const found: PolicyStatement[] = [];
  const add = (where: string, document: unknown) => {
    for (const [index, statement] of asList(objectAt(document).Statement).flatMap(eitherBranch).entries()) {
      const record = objectAt(statement);
      found.push({ where: `${where}/${typeof record.Sid === 'string' ? record.Sid : `#${index}`}`, statement: record });
    }
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = objectAt(resource.Properties);
    if (properties.PolicyDocument !== undefined) add(id, properties.PolicyDocument);
    for (const policy of asList(properties.Policies).flatMap(eitherBranch)) {
      const record = objectAt(policy);
      add(`${id}/${String(record.PolicyName)}`, record.PolicyDocument);
    }
  }
  return found;
}

/** A value, or both values of its Fn::If (a policy or statement that exists under a template condition) but NoValue. */
function eitherBranch(value: unknown): unknown[] {
  const choice = objectAt(value)['Fn::If'];
  if (!Array.isArray(choice)) return [value];
  return [choice[1], choice[2]].flatMap(eitherBranch).filter((branch) => objectAt(branch).Ref !== 'AWS::NoValue');
}

const isAllow = (statement: Record<string, unknown>) => statement.Effect === 'Allow';
const actionsOf = (statement: Record<string, unknown>) => asList(statement.Action).filter((a): a is string => typeof a === 'string');

/** Whether an IAM action pattern (`iam:Pass*`, `*`) grants the given action. */
function grants(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(action);
}

/** An ARN string with the well-known pseudo parameters replaced by markers, then split into its six fields. */
function arnFields(text: string): { partition: string; service: string; region: string; account: string; resource: string } | undefined {
  const plain = text
    .replaceAll('${AWS::Partition}', 'PARTITION')
    .replaceAll('${AWS::Region}', 'REGION')
    .replaceAll('${AWS::AccountId}', 'ACCOUNT')
    .replace(/\$\{[^}]*\}/g, 'VAR');
  const match = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/.exec(plain);
  return match ? { partition: match[1], service: match[2], region: match[3], account: match[4], resource: match[5] } : undefined;
}

/** The literal or `Fn::Sub` text of an ARN-valued field, if it has one. */
function arnText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const sub = objectAt(value)['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
  return undefined;
}

/** The values a field can take: its literal, or the Default and AllowedValues of the parameter it refs. */
function possibleValues(template: CfnTemplate, value: unknown): string[] {
  const parameter = refTarget(value);
  if (parameter === undefined) return typeof value === 'string' ? [value] : [];
  const definition = template.Parameters?.[parameter] ?? {};
  return [definition.Default, ...asList(definition.AllowedValues)].filter((v): v is string => typeof v === 'string');
}

function buckets(template: CfnTemplate) {
  return resourcesOfType(template, 'AWS::S3::Bucket');
}

// ---- S3 --------------------------------------------------------------------------------------------------------

const SSE_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'];

/** Both branches of an Fn::If (recursively), or the value itself: a property must hold whichever way it goes. */
function eitherWay(value: unknown): unknown[] {
  const choice = objectAt(value)['Fn::If'];
  return Array.isArray(choice) && choice.length === 3 ? [...eitherWay(choice[1]), ...eitherWay(choice[2])] : [value];
}

function bucketEncrypted(properties: Record<string, unknown>): boolean {
  const rules = asList(objectAt(properties.BucketEncryption).ServerSideEncryptionConfiguration).flatMap(eitherWay);
  return rules.length > 0 && rules.every((rule) => SSE_ALGORITHMS.includes(String(objectAt(objectAt(rule).ServerSideEncryptionByDefault).SSEAlgorithm)));
}

const bucketEncryption: TemplateCheck = {
  id: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED (W41, CKV_AWS_19)',
  check: (template) => buckets(template)
    .filter(([, properties]) => !bucketEncrypted(properties))
    .map(([id]) => `${id}: no default server-side encryption (BucketEncryption with AES256 or aws:kms)`),
};

const PUBLIC_ACCESS_FLAGS = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];

const publicAccessBlock: TemplateCheck = {
  id: 'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED (CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56)',
  check: (template) => buckets(template).flatMap(([id, properties]) => {
    const block = objectAt(properties.PublicAccessBlockConfiguration);
    return PUBLIC_ACCESS_FLAGS.filter((flag) => block[flag] !== true).map((flag) => `${id}: PublicAccessBlockConfiguration.${flag} is not true`);
  }),
};

/** A Deny of every S3 action over plain HTTP, for everyone. */
function deniesInsecureTransport(statement: Record<string, unknown>): boolean {
  const principal = statement.Principal;
  const everyone = principal === '*' || asList(objectAt(principal).AWS).includes('*');
  const condition = objectAt(objectAt(statement.Condition).Bool)['aws:SecureTransport'];
  return statement.Effect === 'Deny' && everyone
    && actionsOf(statement).some((action) => action === '*' || action === 's3:*')
    && (condition === 'false' || condition === false);
}

/** Which of the bucket's ARN forms (the bucket, its objects) a statement's Resource covers. */
function coveredBucketArns(bucketId: string, statement: Record<string, unknown>): Set<'bucket' | 'objects'> {
  const covered = new Set<'bucket' | 'objects'>();
  for (const resource of asList(statement.Resource)) {
    const getAtt = objectAt(resource)['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[0] === bucketId && getAtt[1] === 'Arn') covered.add('bucket');
    const text = arnText(resource);
    if (text === `\${${bucketId}.Arn}`) covered.add('bucket');
    if (text === `\${${bucketId}.Arn}/*`) covered.add('objects');
  }
  return covered;
}

const tlsOnly: TemplateCheck = {
  id: 'S3_BUCKET_SSL_REQUESTS_ONLY (W51)',
  check: (template) => buckets(template).flatMap(([id]) => {
    const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(([, properties]) => refTarget(properties.Bucket) === id);
    if (policies.length === 0) return [`${id}: no AWS::S3::BucketPolicy attached`];
    const covered = new Set<string>();
    for (const [, properties] of policies) {
      for (const statement of asList(objectAt(properties.PolicyDocument).Statement).map(objectAt)) {
        if (deniesInsecureTransport(statement)) for (const form of coveredBucketArns(id, statement)) covered.add(form);
      }
    }
    return ['bucket', 'objects'].filter((form) => !covered.has(form))
      .map((form) => `${id}: its bucket policy does not deny aws:SecureTransport=false on the ${form}`);
  }),
};

const ARTIFACT_BUCKET = 'ArtifactBucketStore';

function lifecycleProblems(id: string, properties: Record<string, unknown>, needExpiration: boolean): string[] {
  const rules = asList(objectAt(properties.LifecycleConfiguration).Rules).map(objectAt).filter((rule) => rule.Status === 'Enabled');
  const problems: string[] = [];
  if (needExpiration && !rules.some((rule) => rule.ExpirationInDays !== undefined || rule.ExpirationDate !== undefined)) {
    problems.push(`${id}: no enabled lifecycle rule expiring old objects`);
  }
  if (!rules.some((rule) => objectAt(rule.NoncurrentVersionExpiration).NoncurrentDays !== undefined || rule.NoncurrentVersionExpirationInDays !== undefined)) {
    problems.push(`${id}: no enabled lifecycle rule expiring noncurrent versions`);
  }
  return problems;
}

const versioningAndLifecycle: TemplateCheck = {
  id: 'S3_ARTIFACT_BUCKET_VERSIONING_AND_LIFECYCLE (CKV_AWS_21)',
  check: (template) => {
    const artifacts = template.Resources[ARTIFACT_BUCKET];
    // A stack of roles only (target-account.json) has no artifact store to keep; nor has ci-access.json (no
    // pipeline, a package bucket only), whose versioned buckets must still expire noncurrent versions.
    if (artifacts?.Type !== 'AWS::S3::Bucket') {
      if (pipelines(template).length > 0 || (buckets(template).length > 0 && !template.Resources.PackageBucket)) return [`${ARTIFACT_BUCKET}: the artifact bucket is missing`];
      return buckets(template).flatMap(([id, properties]) => (objectAt(properties.VersioningConfiguration).Status === 'Enabled' ? lifecycleProblems(id, properties, false) : []));
    }
    const problems: string[] = [];
    for (const [id, properties] of buckets(template)) {
      const versioned = objectAt(properties.VersioningConfiguration).Status === 'Enabled';
      if (id === ARTIFACT_BUCKET && !versioned) problems.push(`${id}: versioning is not enabled`);
      // Any versioned bucket grows forever unless noncurrent versions expire; the artifact bucket also drops old runs.
      if (id === ARTIFACT_BUCKET || versioned) problems.push(...lifecycleProblems(id, properties, id === ARTIFACT_BUCKET));
    }
    return problems;
  },
};

const noCannedAcl: TemplateCheck = {
  id: 'S3_BUCKET_NO_CANNED_ACL (W31, F14, W3045)',
  check: (template) => buckets(template)
    .filter(([, properties]) => properties.AccessControl !== undefined)
    .map(([id, properties]) => `${id}: AccessControl ${JSON.stringify(properties.AccessControl)} (use bucket policies; ACLs are disabled)`),
};

// ---- DeletionPolicy / UpdateReplacePolicy -----------------------------------------------------------------------

/** cfn-lint's likely-stateful types that this stack could hold, plus the ones whose loss loses a team's work. */
const STATEFUL_TYPES = [
  'AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table',
  'AWS::S3::Bucket', 'AWS::CodeCommit::Repository',
];
/** Never deleted with the stack nor on replacement: source code, packaged code and pipeline history. */
const RETAINED_TYPES = ['AWS::S3::Bucket', 'AWS::CodeCommit::Repository'];

const deletionPolicies: TemplateCheck = {
  id: 'DELETION_AND_UPDATE_REPLACE_POLICIES (I3011, W3011)',
  check: (template) => Object.entries(template.Resources).flatMap(([id, resource]) => {
    const { DeletionPolicy: deletion, UpdateReplacePolicy: replace } = resource;
    if (RETAINED_TYPES.includes(resource.Type) && (deletion !== 'Retain' || replace !== 'Retain')) {
      return [`${id}: ${resource.Type} must be DeletionPolicy Retain and UpdateReplacePolicy Retain (has ${String(deletion)}/${String(replace)})`];
    }
    if (STATEFUL_TYPES.includes(resource.Type) && (deletion === undefined || replace === undefined)) {
      return [`${id}: stateful ${resource.Type} needs both DeletionPolicy and UpdateReplacePolicy`];
    }
    if ((deletion === undefined) !== (replace === undefined)) return [`${id}: DeletionPolicy and UpdateReplacePolicy must be set together`];
    return [];
  }),
};

// ---- IAM -------------------------------------------------------------------------------------------------------

const noAdmin: TemplateCheck = {
  id: 'IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS (F2, F3, F4, F5, CKV_AWS_62, CKV_AWS_63)',
  check: (template) => policyStatements(template).filter(({ statement }) => isAllow(statement)).flatMap(({ where, statement }) => {
    const problems: string[] = [];
    if (actionsOf(statement).includes('*')) problems.push(`${where}: Allow with Action "*"`);
    // Actions AWS authorises on no resource need "*": allowed only as a named exception with its written reason.
    if (asList(statement.Resource).includes('*') && !justified(template, where, 'IAM_RESOURCES_SCOPED')) problems.push(`${where}: Allow with Resource "*"`);
    if (statement.NotAction !== undefined) problems.push(`${where}: Allow with NotAction grants everything else`);
    if (statement.NotResource !== undefined) problems.push(`${where}: Allow with NotResource grants everything else`);
    return problems;
  }),
};

const noServiceWildcard: TemplateCheck = {
  id: 'IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS',
  check: (template) => policyStatements(template).filter(({ statement }) => isAllow(statement)).flatMap(({ where, statement }) =>
    actionsOf(statement).filter((action) => /^[a-z0-9-]+:\*$/i.test(action)).map((action) => `${where}: Allow with the full-access action ${action}`)),
};

const resourcesScoped: TemplateCheck = {
  id: 'IAM_RESOURCES_SCOPED (W11, W12, W13)',
  check: (template) => policyStatements(template).filter(({ statement, where }) => isAllow(statement) && !justified(template, where, 'IAM_RESOURCES_SCOPED')).flatMap(({ where, statement }) =>
    asList(statement.Resource).flatMap((resource) => {
      const fields = arnFields(arnText(resource) ?? '');
      if (!fields) return [];
      const wide = fields.partition === '*' || fields.service === '*' || fields.resource === '*' || /^[a-z-]+[/:]\*$/.test(fields.resource);
      return wide ? [`${where}: resource ${arnText(resource)} is not scoped to what the stack creates`] : [];
    })),
};

/**
 * A statement exempted from a rule by a written justification in its resource's Metadata
 * (`SecurityRuleExceptions: [{ Rule, Statement, Reason }]`): the rule id, the statement's Sid and a reason are all required.
 */
function justified(template: CfnTemplate, where: string, rule: string): boolean {
  const [resourceId] = where.split('/');
  const sid = where.split('/').at(-1);
  const exceptions = asList(objectAt(objectAt(template.Resources[resourceId]).Metadata).SecurityRuleExceptions).map(objectAt);
  return exceptions.some((e) => String(e.Rule ?? '').startsWith(rule) && e.Statement === sid && typeof e.Reason === 'string' && e.Reason.length > 20);
}

/** Condition keys of a statement, whatever the operator (StringEquals, StringLike, ForAnyValue:...). */
const conditionKeys = (statement: Record<string, unknown>) =>
  Object.values(objectAt(statement.Condition)).flatMap((operator) => Object.keys(objectAt(operator)));

const passRoleScoped: TemplateCheck = {
  id: 'IAM_NO_WILDCARD_RESOURCE_ON_PASSROLE (F38, F39, F40)',
  check: (template) => policyStatements(template)
    .filter(({ statement }) => isAllow(statement) && actionsOf(statement).some((action) => grants(action, 'iam:PassRole')))
    .flatMap(({ where, statement }) => {
      const problems: string[] = [];
      const resources = asList(statement.Resource);
      if (resources.length === 0 || resources.some((r) => r === '*' || arnFields(arnText(r) ?? '')?.resource === 'role/*')) {
        problems.push(`${where}: iam:PassRole on any role`);
      }
      if (!conditionKeys(statement).includes('iam:PassedToService')) problems.push(`${where}: iam:PassRole without an iam:PassedToService condition`);
      return problems;
    }),
};

const arnsUsePseudoParameters: TemplateCheck = {
  id: 'ARNS_USE_PSEUDO_PARAMETERS (I3042)',
  check: (template) => {
    const problems: string[] = [];
    // A template parameter (${ProdAccountId}, ${ProdRegion}) is not hard-coded: its value is given at deploy time.
    const parameters = Object.keys(template.Parameters ?? {});
    const named = (text: string) => text.replace(/\$\{([^}.]*)\}/g, (variable, name: string) => (parameters.includes(name) ? 'PARAMETER' : variable));
    const sections: [string, unknown][] = [['Resources', template.Resources], ['Outputs', template.Outputs ?? {}]];
    for (const [section, content] of sections) {
      for (const [path, text] of stringsIn(content)) {
        for (const match of text.matchAll(/(?<![A-Za-z0-9])arn:\S*/g)) {
          const fields = arnFields(named(match[0]));
          const where = `${section}.${path}`;
          if (!fields) continue;
          if (fields.partition !== 'PARTITION') problems.push(`${where}: ${match[0]} hard-codes the partition (use \${AWS::Partition})`);
          if (!['', 'REGION', 'PARAMETER'].includes(fields.region)) problems.push(`${where}: ${match[0]} hard-codes the region (use \${AWS::Region})`);
          // `aws` is the owner of AWS's own resources (the Serverless transform, managed policies).
          if (!['', 'ACCOUNT', 'PARAMETER', 'aws'].includes(fields.account)) problems.push(`${where}: ${match[0]} hard-codes the account (use \${AWS::AccountId})`);
        }
      }
    }
    return problems;
  },
};

/** A cross-account trust narrowed to named principals: one account, and an aws:PrincipalArn condition. */
function narrowAccountTrust(statement: Record<string, unknown>): boolean {
  const principals = asList(objectAt(statement.Principal).AWS);
  return principals.length === 1 && principals[0] !== '*' && conditionKeys(statement).includes('aws:PrincipalArn');
}

/**
 * A role an external CI signs in to with OIDC: one identity provider of the template (never a literal or wildcard
 * ARN), sts:AssumeRoleWithWebIdentity only, the audience and one exact subject (StringEquals, no wildcard) checked.
 */
function narrowOidcTrust(statement: Record<string, unknown>): string | undefined {
  const provider = objectAt(statement.Principal).Federated;
  if (typeof provider === 'string') return `trusts the literal provider ${provider}, not the template's own (or its parameter)`;
  if (asList(statement.Action).join() !== 'sts:AssumeRoleWithWebIdentity') return `allows ${JSON.stringify(statement.Action)}, not only sts:AssumeRoleWithWebIdentity`;
  const operators = Object.keys(objectAt(statement.Condition));
  if (operators.join() !== 'StringEquals') return `conditions use ${operators.join(', ') || 'nothing'}, not only StringEquals`;
  const keys = objectAt(objectAt(statement.Condition).StringEquals);
  const sub = Object.entries(keys).find(([key]) => key.endsWith(':sub'))?.[1];
  if (!Object.keys(keys).some((key) => key.endsWith(':aud'))) return 'the audience (aud) is not checked';
  if (typeof sub !== 'string' || /[*?]/.test(sub)) return `the subject (sub) is not one exact value: ${JSON.stringify(sub)}`;
  return undefined;
}

const trustOneService: TemplateCheck = {
  id: 'IAM_TRUST_POLICY_ONE_SERVICE_PRINCIPAL (CKV_AWS_60, CKV_AWS_61)',
  check: (template) => resourcesOfType(template, 'AWS::IAM::Role').flatMap(([id, properties]) => {
    const statements = asList(objectAt(properties.AssumeRolePolicyDocument).Statement).map(objectAt).filter(isAllow);
    // The role a pipeline in another account assumes trusts that account, narrowed to its pipeline role.
    if (statements.length === 1 && Object.keys(objectAt(statements[0].Principal)).join() === 'Federated') {
      const problem = narrowOidcTrust(statements[0]);
      return problem ? [`${id}: OIDC trust policy ${problem}`] : [];
    }
    if (statements.length === 1 && Object.keys(objectAt(statements[0].Principal)).join() === 'AWS') {
      return narrowAccountTrust(statements[0]) ? [] : [`${id}: trust policy trusts ${JSON.stringify(statements[0].Principal)} without narrowing it to one account and an aws:PrincipalArn condition`];
    }
    const problems: string[] = [];
    const services = new Set<string>();
    for (const statement of statements) {
      const principal = statement.Principal;
      const kinds = isObject(principal) ? Object.keys(principal) : [String(principal)];
      if (kinds.length !== 1 || kinds[0] !== 'Service') problems.push(`${id}: trust policy trusts ${JSON.stringify(principal)}, not a service`);
      for (const service of asList(objectAt(principal).Service)) services.add(JSON.stringify(service));
    }
    if (services.size !== 1) problems.push(`${id}: trust policy names ${services.size} service principals (${[...services].join(', ')}), not exactly one`);
    return problems;
  }),
};

// ---- CodeBuild -------------------------------------------------------------------------------------------------

const projects = (template: CfnTemplate) => resourcesOfType(template, 'AWS::CodeBuild::Project');

const notPrivileged: TemplateCheck = {
  id: 'CODEBUILD_PROJECT_NOT_PRIVILEGED (CodeBuild.5)',
  check: (template) => projects(template)
    .filter(([, properties]) => objectAt(properties.Environment).PrivilegedMode === true)
    .map(([id]) => `${id}: PrivilegedMode is true`),
};

const CREDENTIAL_NAME = /SECRET|PASSWORD|TOKEN|AWS_ACCESS_KEY|AWS_SECRET/i;
const AWS_KEY_ID = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;

const noPlaintextCredentials: TemplateCheck = {
  id: 'CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK',
  check: (template) => projects(template).flatMap(([id, properties]) =>
    asList(objectAt(properties.Environment).EnvironmentVariables).map(objectAt).flatMap((variable) => {
      const plaintext = variable.Type === undefined || variable.Type === 'PLAINTEXT';
      const name = String(variable.Name);
      if (plaintext && (CREDENTIAL_NAME.test(name) || AWS_KEY_ID.test(String(variable.Value)))) {
        return [`${id}: environment variable ${name} looks like a credential in plain text (use PARAMETER_STORE or SECRETS_MANAGER)`];
      }
      return [];
    })),
};

const encryptionKept: TemplateCheck = {
  id: 'CODEBUILD_PROJECT_ARTIFACT_ENCRYPTION (CKV_AWS_78)',
  check: (template) => projects(template).flatMap(([id, properties]) => {
    const places: [string, unknown][] = [
      ['Artifacts', properties.Artifacts],
      ...asList(properties.SecondaryArtifacts).map((a, i): [string, unknown] => [`SecondaryArtifacts[${i}]`, a]),
      ['LogsConfig.S3Logs', objectAt(properties.LogsConfig).S3Logs],
    ];
    return places.filter(([, value]) => objectAt(value).EncryptionDisabled === true).map(([where]) => `${id}: ${where}.EncryptionDisabled is true`);
  }),
};

const logsRetained: TemplateCheck = {
  id: 'CW_LOGGROUP_RETENTION_PERIOD_CHECK (CodeBuild logs)',
  check: (template) => {
    const problems = resourcesOfType(template, 'AWS::Logs::LogGroup')
      .filter(([, properties]) => typeof properties.RetentionInDays !== 'number')
      .map(([id]) => `${id}: log group without RetentionInDays`);
    for (const [id, properties] of projects(template)) {
      const logs = objectAt(objectAt(properties.LogsConfig).CloudWatchLogs);
      const group = refTarget(logs.GroupName);
      if (logs.Status !== 'ENABLED') problems.push(`${id}: CloudWatch logs are not explicitly ENABLED`);
      if (group === undefined || template.Resources[group]?.Type !== 'AWS::Logs::LogGroup') {
        problems.push(`${id}: logs do not go to a log group of this stack (so no retention is set)`);
      }
    }
    return problems;
  },
};

const timeoutSet: TemplateCheck = {
  id: 'CODEBUILD_PROJECT_TIMEOUT_SET',
  check: (template) => projects(template).flatMap(([id, properties]) => {
    const timeout = properties.TimeoutInMinutes;
    return typeof timeout === 'number' && timeout >= 5 && timeout <= 2160 ? [] : [`${id}: TimeoutInMinutes ${String(timeout)} (set 5-2160)`];
  }),
};

const isRetiredImage = (image: string) => RETIRED_IMAGES.includes(image) || image.startsWith('aws/codebuild/python:');

const currentImage: TemplateCheck = {
  id: 'CODEBUILD_PROJECT_CURRENT_IMAGE',
  check: (template) => projects(template).flatMap(([id, properties]) => {
    const image = objectAt(properties.Environment).Image;
    const candidates = possibleValues(template, image);
    if (candidates.length === 0) return [`${id}: image ${JSON.stringify(image)} cannot be checked (not a literal nor a parameter with values)`];
    return candidates.filter((name) => isRetiredImage(name) || !BUILD_IMAGES.some((known) => known.name === name))
      .map((name) => `${id}: image ${name} is retired or not a current curated image`);
  }),
};

// ---- CodePipeline ----------------------------------------------------------------------------------------------

const pipelines = (template: CfnTemplate) => resourcesOfType(template, 'AWS::CodePipeline::Pipeline');

export function pipelineActions(properties: Record<string, unknown>): { stage: string; action: Record<string, unknown> }[] {
  return asList(properties.Stages).map(objectAt).flatMap((stage) =>
    asList(stage.Actions).map(objectAt).map((action) => ({ stage: String(stage.Name), action })));
}

const pipelineType: TemplateCheck = {
  id: 'CODEPIPELINE_PIPELINE_TYPE_SET',
  check: (template) => pipelines(template)
    .filter(([, properties]) => properties.PipelineType !== 'V1' && properties.PipelineType !== 'V2')
    .map(([id, properties]) => `${id}: PipelineType ${JSON.stringify(properties.PipelineType)} (set V1 or V2 explicitly)`),
};

const noGitHubV1: TemplateCheck = {
  id: 'CODEPIPELINE_NO_GITHUB_V1_ACTION',
  check: (template) => pipelines(template).flatMap(([id, properties]) => pipelineActions(properties)
    .filter(({ action }) => {
      const type = objectAt(action.ActionTypeId);
      return type.Owner === 'ThirdParty' && type.Provider === 'GitHub';
    })
    .map(({ stage, action }) => `${id}/${stage}/${String(action.Name)}: the deprecated GitHub v1 OAuth action (use CodeStarSourceConnection)`)),
};

const artifactStoreEncrypted: TemplateCheck = {
  id: 'CODEPIPELINE_ARTIFACT_STORE_ENCRYPTED',
  check: (template) => pipelines(template).flatMap(([id, properties]) => {
    const stores = [properties.ArtifactStore, ...asList(properties.ArtifactStores).map((s) => objectAt(s).ArtifactStore)].filter((s) => s !== undefined).map(objectAt);
    if (stores.length === 0) return [`${id}: no artifact store`];
    return stores.flatMap((store) => {
      // A key that may be absent (Fn::If with AWS::NoValue) leaves the bucket's own encryption to decide.
      const keyAlways = store.EncryptionKey !== undefined && eitherWay(store.EncryptionKey).every((key) => objectAt(key).Ref !== 'AWS::NoValue');
      if (keyAlways) return [];
      const bucketId = refTarget(store.Location);
      const bucket = bucketId === undefined ? undefined : template.Resources[bucketId];
      if (bucket?.Type !== 'AWS::S3::Bucket') return [`${id}: artifact store ${JSON.stringify(store.Location)} is not a bucket of this stack, its encryption is unknown`];
      return bucketEncrypted(objectAt(bucket.Properties)) ? [] : [`${id}: artifact store ${bucketId} has no default encryption and no EncryptionKey`];
    });
  }),
};

// ---- parameters, secrets and outputs ---------------------------------------------------------------------------

const SECRET_NAME = /secret|password|passwd|token|credential|private_?key|api_?key|access_?key/i;

const noSecretDefaults: TemplateCheck = {
  id: 'NO_SECRET_PARAMETER_WITH_DEFAULT',
  check: (template) => Object.entries(template.Parameters ?? {}).flatMap(([name, parameter]) => {
    if (parameter.Default === undefined) return [];
    if (SECRET_NAME.test(name)) return [`${name}: a secret-looking parameter has a Default`];
    if (parameter.NoEcho === true || parameter.NoEcho === 'true') return [`${name}: a NoEcho parameter has a Default`];
    return [];
  }),
};

/** Shapes of real credentials: AWS key ids, GitHub/GitLab tokens, private keys. */
const SECRET_SHAPES = [AWS_KEY_ID, /\bgh[pousr]_[A-Za-z0-9]{30,}/, /\bgithub_pat_[A-Za-z0-9_]{30,}/, /\bglpat-[A-Za-z0-9_-]{20,}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/];

const noPlaintextSecrets: TemplateCheck = {
  id: 'NO_PLAINTEXT_SECRETS',
  check: (template) => [...stringsIn(template)]
    .filter(([, text]) => SECRET_SHAPES.some((shape) => shape.test(text)))
    .map(([path]) => `${path}: a credential in plain text (use a {{resolve:secretsmanager:...}} dynamic reference)`),
};

const parametersConstrained: TemplateCheck = {
  id: 'PARAMETERS_DESCRIBED_AND_CONSTRAINED',
  check: (template) => Object.entries(template.Parameters ?? {}).flatMap(([name, parameter]) => {
    const problems: string[] = [];
    if (typeof parameter.Description !== 'string' || parameter.Description.trim() === '') problems.push(`${name}: no Description`);
    if (parameter.AllowedPattern === undefined && parameter.AllowedValues === undefined) problems.push(`${name}: neither AllowedPattern nor AllowedValues`);
    return problems;
  }),
};

const outputsDescribed: TemplateCheck = {
  id: 'OUTPUTS_DESCRIBED',
  check: (template) => Object.entries(template.Outputs ?? {})
    .filter(([, output]) => typeof output.Description !== 'string' || output.Description.trim() === '')
    .map(([name]) => `${name}: output without a Description`),
};

/** Outputs of `chalice generate-pipeline` that users' scripts read. */
const CHALICE_OUTPUTS = ['S3ApplicationBucket', 'CodeBuildRoleArn', 'S3PipelineBucket', 'CodePipelineRoleArn', 'CFNDeployRoleArn'];

/** A CodeCommit source (Chalice's default), read from the pipeline's source actions. */
const usesCodeCommit = (template: CfnTemplate) => pipelines(template).some(([, properties]) =>
  pipelineActions(properties).some(({ action }) => objectAt(action.ActionTypeId).Provider === 'CodeCommit'));

/**
 * Some app stage deploys in the pipeline's own account (its actions carry no action role of another account); the
 * self-update stage, which changes the pipeline's own stack, deploys no app.
 */
const deploysHere = (template: CfnTemplate) => pipelines(template).some(([, properties]) =>
  pipelineActions(properties).some(({ action }) => objectAt(action.ActionTypeId).Provider === 'CloudFormation' && action.RoleArn === undefined &&
    objectAt(objectAt(action.Configuration).StackName).Ref !== 'AWS::StackName'));

/** Chalice's names apply to a pipeline stack; CFNDeployRole to one that deploys a stage in its own account. */
function chaliceWanted(template: CfnTemplate, names: string[]): string[] {
  if (pipelines(template).length === 0) return [];
  return names.filter((name) => deploysHere(template) || !name.startsWith('CFNDeployRole'));
}

const chaliceOutputs: TemplateCheck = {
  id: 'CHALICE_OUTPUT_NAMES_KEPT',
  check: (template) => {
    const wanted = chaliceWanted(template, [...CHALICE_OUTPUTS, ...(usesCodeCommit(template) ? ['SourceRepoURL'] : [])]);
    return wanted.filter((name) => template.Outputs?.[name] === undefined).map((name) => `${name}: Chalice's output is missing`);
  },
};

/**
 * Chalice's logical IDs: an update of a stack made by `chalice generate-pipeline` keeps the data resources (the
 * repository, the buckets) only under the same IDs; the others keep the names its users know.
 */
const CHALICE_IDS: Record<string, string> = {
  ApplicationBucket: 'AWS::S3::Bucket',
  ArtifactBucketStore: 'AWS::S3::Bucket',
  AppPackageBuild: 'AWS::CodeBuild::Project',
  AppPipeline: 'AWS::CodePipeline::Pipeline',
  CFNDeployRole: 'AWS::IAM::Role',
  CodeBuildRole: 'AWS::IAM::Role',
  CodePipelineRole: 'AWS::IAM::Role',
};

const chaliceIds: TemplateCheck = {
  id: 'CHALICE_LOGICAL_IDS_KEPT',
  check: (template) => {
    const ids = { ...CHALICE_IDS, ...(usesCodeCommit(template) ? { SourceRepository: 'AWS::CodeCommit::Repository' } : {}) };
    const wanted = Object.entries(ids).filter(([id]) => chaliceWanted(template, [id]).length > 0);
    return wanted
      .filter(([id, type]) => template.Resources[id]?.Type !== type)
      .map(([id, type]) => `${id}: Chalice's ${type} is missing or renamed`);
  },
};

export const SECURITY_RULES: readonly TemplateCheck[] = [
  bucketEncryption, publicAccessBlock, tlsOnly, versioningAndLifecycle, noCannedAcl, deletionPolicies,
  noAdmin, noServiceWildcard, resourcesScoped, passRoleScoped, arnsUsePseudoParameters, trustOneService,
  notPrivileged, noPlaintextCredentials, encryptionKept, logsRetained, timeoutSet, currentImage,
  pipelineType, noGitHubV1, artifactStoreEncrypted,
  noSecretDefaults, noPlaintextSecrets, parametersConstrained, outputsDescribed, chaliceOutputs, chaliceIds,
];
