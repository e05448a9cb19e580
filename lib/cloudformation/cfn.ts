// Small builders for CloudFormation template data (intrinsics, IAM documents), so the parts read like the template.
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type Resource = { Type: string; Properties?: Record<string, Json>; [key: string]: Json | undefined };
export type Resources = Record<string, Resource>;

export const ref = (name: string): Json => ({ Ref: name });
/** Fn::Sub of a text; a text without variables (a shortened derived name) stays a plain string (cfn-lint W1020). */
export const sub = (text: string): Json => (text.includes('${') ? { 'Fn::Sub': text } : text);
export const arnOf = (logicalId: string): Json => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
export const getAtt = (logicalId: string, attribute: string): Json => ({ 'Fn::GetAtt': [logicalId, attribute] });

/** ARN in this stack's partition, region and account: `arn('lambda', 'function:x')`. */
export const arn = (service: string, resource: string, { region = true, account = true } = {}): Json =>
  sub(`arn:\${AWS::Partition}:${service}:${region ? '${AWS::Region}' : ''}:${account ? '${AWS::AccountId}' : ''}:${resource}`);

export interface Statement {
  Sid: string;
  Effect?: 'Allow' | 'Deny';
  Action: string[];
  /** ARNs, or a Ref to a list parameter of ARNs. */
  Resource: Json[] | { Ref: string };
  Condition?: Record<string, Json>;
  /** A template condition: the statement exists only when it holds. */
  OnlyIf?: string;
}

export function policyDocument(statements: Statement[]): Json {
  return {
    Version: '2012-10-17',
    Statement: statements.map(({ Sid, Effect = 'Allow', Action, Resource, Condition, OnlyIf }) => {
      const statement: Json = { Sid, Effect, Action, Resource, ...(Condition ? { Condition } : {}) };
      return OnlyIf ? { 'Fn::If': [OnlyIf, statement, ref('AWS::NoValue')] } : statement;
    }),
  };
}

/** A role that exactly one AWS service may assume. */
export function serviceRole(service: string, description: string, extra: Record<string, Json> = {}): Resource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: description,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: ['sts:AssumeRole'] }],
      },
      ...extra,
    },
  };
}

/** iam:PassRole on given roles, only to the given service. */
export function passRole(sid: string, roles: Json[], service: string): Statement {
  return {
    Sid: sid,
    Action: ['iam:PassRole'],
    Resource: roles,
    Condition: { StringEquals: { 'iam:PassedToService': service } },
  };
}

export function actionType(category: string, provider: string, owner = 'AWS'): Json {
  return { Category: category, Owner: owner, Provider: provider, Version: '1' };
}

/** Keep on delete and on replacement: for anything that holds a team's data. */
export const RETAIN = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } as const;
export const DELETE = { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' } as const;

/**
 * A template as JSON text: indented like JSON.stringify(value, null, 2), but a list or object that fits in `width`
 * columns stays on one line (action lists, ARNs, Fn::Sub). Readable, and about a fifth smaller: `aws cloudformation
 * deploy` sends the file as the template body, which may hold at most 51,200 bytes.
 */
export function templateText(value: unknown, width = 120): string {
  const entriesOf = (item: object): [string | undefined, unknown][] =>
    Array.isArray(item) ? item.map((v) => [undefined, v]) : Object.entries(item);
  const head = (key: string | undefined) => (key === undefined ? '' : `${JSON.stringify(key)}: `);
  const flat = (item: unknown): string => {
    if (typeof item !== 'object' || item === null) return JSON.stringify(item);
    const parts = entriesOf(item).map(([key, v]) => `${head(key)}${flat(v)}`);
    if (Array.isArray(item)) return `[${parts.join(', ')}]`;
    return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
  };
  const write = (item: unknown, indent: string, used: number): string => {
    const line = flat(item);
    if (typeof item !== 'object' || item === null || used + line.length <= width) return line;
    const inner = `${indent}  `;
    const lines = entriesOf(item).map(([key, v]) => `${inner}${head(key)}${write(v, inner, inner.length + head(key).length)}`);
    const [open, close] = Array.isArray(item) ? ['[', ']'] : ['{', '}'];
    return `${open}\n${lines.join(',\n')}\n${indent}${close}`;
  };
  return `${write(value, '', 0)}\n`;
}

/**
 * The template condition of a resource only some of a template's targets need, when one file serves several targets
 * (a parameter picks the deployed one; `targetCondition` names the condition that it is this target): none when all
 * need it, that target's when one does, else `anyName` (declared: an Fn::Or of theirs).
 */
export function conditionOfSome<T>(some: T[], all: T[], targetCondition: (target: T) => string, anyName: string): { name?: string; declare: Record<string, Json> } {
  if (some.length === 0 || some.length === all.length) return { declare: {} };
  if (some.length === 1) return { name: targetCondition(some[0]), declare: {} };
  return { name: anyName, declare: { [anyName]: { 'Fn::Or': some.map((target) => ({ Condition: targetCondition(target) })) } } };
}
