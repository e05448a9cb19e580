// A small IAM policy evaluator for the generated roles: Allow and Deny statements (an explicit Deny wins), action
// wildcards, resource ARN globs (* and ?), and the condition operators and keys the roles use. Plus the template side:
// a role's policy resolved to plain strings as CloudFormation would (pseudo parameters, parameters' defaults, the
// names and ARNs the pipeline stack's resources get).
import { asList, isObject, objectAt, type CfnTemplate } from './security-rules.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const PARTITION = 'aws';
/** The application bucket: the name test/support/package_apps.py writes into the packaged templates. */
export const APP_BUCKET = 'app-bucket-1a2b3c4d';

/** The ARN a role of the pipeline stack gets (by its logical ID), e.g. the CodeDeploy role the deploy role passes. */
export const pipelineRoleArn = (logicalId: string) => `arn:${PARTITION}:iam::${ACCOUNT}:role/${PIPELINE_STACK}-${logicalId}-1A2B3C4D5E6F7`;
/** The pipeline stack's name in these tests (${AWS::StackName} in pipeline.json). */
export const PIPELINE_STACK = 'pipeline';
/** The name of any stack a role is resolved in (${AWS::StackName}): the pipeline stack's, or ci-access.json's. */
export const STACK_NAME = PIPELINE_STACK;

export interface IamStatement {
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

/** One call a CloudFormation handler makes: the action, the ARN IAM authorises it on, and the request's context keys. */
export interface IamRequest {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

const globs = new Map<string, RegExp>();
/** An IAM glob as a regular expression (cached: the role tests evaluate tens of thousands of requests). */
const glob = (pattern: string, caseInsensitive = false): RegExp => {
  const cacheKey = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  const cached = globs.get(cacheKey);
  if (cached) return cached;
  const compiled = toRegExp(pattern, caseInsensitive);
  globs.set(cacheKey, compiled);
  return compiled;
};
const toRegExp = (pattern: string, caseInsensitive: boolean) =>
  new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('')}$`, caseInsensitive ? 'i' : '');

/** Condition operators the deploy role uses; an absent key fails them (no ...IfExists here). */
const OPERATORS: Record<string, (value: string, pattern: string) => boolean> = {
  StringEquals: (value, pattern) => value === pattern,
  StringLike: (value, pattern) => glob(pattern).test(value),
  ArnEquals: (value, pattern) => value === pattern,
  ArnLike: (value, pattern) => glob(pattern).test(value),
};

function conditionHolds(condition: IamStatement['Condition'], context: Record<string, string>): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) => {
    const test = OPERATORS[operator];
    if (!test) throw new Error(`the evaluator does not know the condition operator ${operator}`);
    return Object.entries(keys).every(([key, patterns]) => {
      const value = Object.entries(context).find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1];
      return value !== undefined && patterns.some((pattern) => test(value, pattern));
    });
  });
}

const applies = (statement: IamStatement, request: IamRequest) =>
  statement.Action.some((action) => glob(action, true).test(request.action))
  && statement.Resource.some((resource) => glob(resource).test(request.resource))
  && conditionHolds(statement.Condition, request.context ?? {});

/** The Allow statements that match the request (empty: not allowed). Actions match case-insensitively, ARNs case-sensitively. */
export function allowingStatements(statements: IamStatement[], request: IamRequest): IamStatement[] {
  return statements.filter((statement) => statement.Effect === 'Allow' && applies(statement, request));
}

/** Allowed: some Allow statement matches and no Deny statement does. */
export const allows = (statements: IamStatement[], request: IamRequest) =>
  allowingStatements(statements, request).length > 0 && !statements.some((statement) => statement.Effect === 'Deny' && applies(statement, request));

// ---- the generated template's role, resolved ----------------------------------------------------------------------

/** A value of the pipeline template as a string (or list), as CloudFormation resolves it in this test account. */
function resolve(template: CfnTemplate, value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((item) => resolve(template, item));
  const record = objectAt(value);
  if (typeof record['Fn::Sub'] === 'string') {
    return [record['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const resolved = pseudo(template, name);
      if (resolved === undefined) throw new Error(`cannot resolve \${${name}} in the role`);
      return resolved;
    })];
  }
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && template.Resources[String(getAtt[0])]) return [resourceValue(template, String(getAtt[0]), String(getAtt[1]))];
  if (typeof record.Ref === 'string') {
    if (template.Resources[record.Ref]) return [resourceValue(template, record.Ref)];
    const parameter = template.Parameters?.[record.Ref];
    if (!parameter) throw new Error(`cannot resolve Ref ${record.Ref} in the role`);
    const text = String(parameter.Default ?? '');
    return parameter.Type === 'CommaDelimitedList' ? text.split(',').filter(Boolean) : [text];
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} in the role`);
}

function pseudo(template: CfnTemplate, name: string): string | undefined {
  const known: Record<string, string> = {
    'AWS::Partition': PARTITION, 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::StackName': PIPELINE_STACK,
    'ApplicationBucket.Arn': `arn:${PARTITION}:s3:::${APP_BUCKET}`, 'PackageBucket.Arn': `arn:${PARTITION}:s3:::${APP_BUCKET}`,
  };
  if (name in known) return known[name];
  const [id, attribute] = name.split('.');
  if (template.Resources[id!]) return resourceValue(template, id!, attribute);
  const parameter = template.Parameters?.[name];
  return parameter && typeof parameter.Default === 'string' ? parameter.Default : undefined;
}

const arnIn = (service: string, resource: string) => `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${resource}`;
/** A name CloudFormation generates for a resource of the pipeline stack (fixed random tail, cut to the limit). */
const generated = (id: string, limit = 64) => `${PIPELINE_STACK}-${id}-1A2B3C4D5E6F`.slice(-limit);

/**
 * Ref (no attribute) or Fn::GetAtt of a resource of the pipeline stack: the name or ARN CloudFormation gives it here.
 * Exported for the handler requests of the pipeline stack (test/support/pipeline-requests.ts).
 */
export function resourceValue(template: CfnTemplate, id: string, attribute?: string): string {
  const resource = template.Resources[id]!;
  const properties = objectAt(resource.Properties);
  const named = (key: string, fallback: string) => (properties[key] === undefined ? fallback : resolve(template, properties[key])[0]!);
  switch (resource.Type) {
    case 'AWS::IAM::Role': {
      // A named role has that name; CloudFormation names the others after the stack and the logical id.
      const name = properties.RoleName;
      const roleArn = name === undefined ? pipelineRoleArn(id) : `arn:${PARTITION}:iam::${ACCOUNT}:role/${resolve(template, name)[0]}`;
      return attribute === 'Arn' ? roleArn : roleArn.replace(/^.*:role\//, '');
    }
    // A managed policy of the template (a permissions boundary): Ref is its ARN.
    case 'AWS::IAM::ManagedPolicy': return `arn:${PARTITION}:iam::${ACCOUNT}:policy/${id}`;
    case 'AWS::S3::Bucket': {
      const name = id === 'ApplicationBucket' ? APP_BUCKET : generated(id.toLowerCase()).toLowerCase();
      return attribute === 'Arn' ? `arn:${PARTITION}:s3:::${name}` : name;
    }
    case 'AWS::KMS::Key': return attribute === 'Arn' ? arnIn('kms', 'key/1111aaaa-2222-bbbb-3333-cccc4444dddd') : '1111aaaa-2222-bbbb-3333-cccc4444dddd';
    case 'AWS::CodeCommit::Repository': {
      const name = named('RepositoryName', generated(id, 100));
      return attribute === 'Arn' ? arnIn('codecommit', name) : name;
    }
    case 'AWS::CodeConnections::Connection': return arnIn('codeconnections', 'connection/aaaa1111-bbbb-2222-cccc-3333dddd4444');
    case 'AWS::SNS::Topic': return arnIn('sns', named('TopicName', generated(id, 256)));
    case 'AWS::CodePipeline::Pipeline': return named('Name', generated(id, 100));
    case 'AWS::CodeBuild::Project': {
      const name = named('Name', generated(id, 150));
      return attribute === 'Arn' ? arnIn('codebuild', `project/${name}`) : name;
    }
    case 'AWS::CodeBuild::ReportGroup': return arnIn('codebuild', `report-group/${named('Name', generated(id, 128))}`);
    case 'AWS::Events::Rule': {
      const name = named('Name', generated(id));
      return attribute === 'Arn' ? arnIn('events', `rule/${name}`) : name;
    }
    case 'AWS::Logs::LogGroup': {
      const name = named('LogGroupName', generated(id, 512));
      return attribute === 'Arn' ? arnIn('logs', `log-group:${name}:*`) : name;
    }
    case 'AWS::CodeStarNotifications::NotificationRule': return arnIn('codestar-notifications', 'notificationrule/0123456789abcdef0123456789abcdef01234567');
    default: throw new Error(`no name modelled for ${resource.Type} (${id})`);
  }
}

/** The statements of a role's inline policies in a template, resolved to plain strings. */
export function roleStatements(template: CfnTemplate, roleId: string): IamStatement[] {
  const policies = asList(objectAt(template.Resources[roleId]?.Properties).Policies);
  return policies.flatMap((policy) => asList(objectAt(objectAt(policy).PolicyDocument).Statement)).map((raw) => {
    const statement = objectAt(raw);
    const condition = Object.fromEntries(Object.entries(objectAt(statement.Condition)).map(([operator, keys]) => [
      operator, Object.fromEntries(Object.entries(objectAt(keys)).map(([key, values]) => [key, resolve(template, values)])),
    ]));
    return {
      Sid: typeof statement.Sid === 'string' ? statement.Sid : undefined,
      Effect: String(statement.Effect),
      Action: asList(statement.Action).map(String),
      Resource: isObject(statement.Resource) ? resolve(template, statement.Resource) : asList(statement.Resource).flatMap((r) => resolve(template, r)),
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    };
  });
}
