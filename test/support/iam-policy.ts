// A small IAM policy evaluator for the deploy role: Allow statements only (the role has no Deny), action wildcards,
// resource ARN globs (* and ?), and the condition operators and keys the role uses. Plus the template side: the
// role's policy resolved to plain strings as CloudFormation would (pseudo parameters, parameters' defaults, the
// application bucket's name).
import { asList, isObject, objectAt, type CfnTemplate } from './security-rules.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const PARTITION = 'aws';
/** The application bucket: the name test/support/package_apps.py writes into the packaged templates. */
export const APP_BUCKET = 'app-bucket-1a2b3c4d';
/** The name of the stack a role is resolved in (\${AWS::StackName}). */
export const STACK_NAME = 'role-stack';

/** The ARN a role of the pipeline stack gets (by its logical ID), e.g. the CodeDeploy role the deploy role passes. */
export const pipelineRoleArn = (logicalId: string) => `arn:${PARTITION}:iam::${ACCOUNT}:role/pipeline-${logicalId}-1A2B3C4D5E6F7`;

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

const glob = (pattern: string, caseInsensitive = false) =>
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

/** The statements that allow the request (empty: denied). Actions match case-insensitively, ARNs case-sensitively. */
export function allowingStatements(statements: IamStatement[], request: IamRequest): IamStatement[] {
  return statements.filter((statement) => statement.Effect === 'Allow'
    && statement.Action.some((action) => glob(action, true).test(request.action))
    && statement.Resource.some((resource) => glob(resource).test(request.resource))
    && conditionHolds(statement.Condition, request.context ?? {}));
}

export const allows = (statements: IamStatement[], request: IamRequest) => allowingStatements(statements, request).length > 0;

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
  const roleId = Array.isArray(getAtt) && getAtt[1] === 'Arn' ? String(getAtt[0]) : undefined;
  const role = roleId === undefined ? undefined : template.Resources[roleId];
  if (roleId !== undefined && role?.Type === 'AWS::IAM::Role') {
    // A named role has that name; CloudFormation names the others after the stack and the logical id.
    const name = objectAt(role.Properties).RoleName;
    return [name === undefined ? pipelineRoleArn(roleId) : `arn:${PARTITION}:iam::${ACCOUNT}:role/${resolve(template, name)[0]}`];
  }
  if (typeof record.Ref === 'string') {
    // A managed policy of the template (a permissions boundary): its ARN.
    if (template.Resources[record.Ref]?.Type === 'AWS::IAM::ManagedPolicy') return [`arn:${PARTITION}:iam::${ACCOUNT}:policy/${record.Ref}`];
    const parameter = template.Parameters?.[record.Ref];
    if (!parameter) throw new Error(`cannot resolve Ref ${record.Ref} in the role`);
    const text = String(parameter.Default ?? '');
    return parameter.Type === 'CommaDelimitedList' ? text.split(',').filter(Boolean) : [text];
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} in the role`);
}

function pseudo(template: CfnTemplate, name: string): string | undefined {
  const known: Record<string, string> = {
    'AWS::Partition': PARTITION, 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'ApplicationBucket.Arn': `arn:${PARTITION}:s3:::${APP_BUCKET}`,
    'PackageBucket.Arn': `arn:${PARTITION}:s3:::${APP_BUCKET}`, 'AWS::StackName': STACK_NAME,
  };
  if (name in known) return known[name];
  const parameter = template.Parameters?.[name];
  return parameter && typeof parameter.Default === 'string' ? parameter.Default : undefined;
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
