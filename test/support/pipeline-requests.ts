// What CloudFormation asks IAM when a change set creates, updates and deletes the resources of pipeline.json itself
// (the self-update stage, under PipelineUpdateRole): the handler permissions of handler-permissions.ts, each on the ARN
// the resource gets in the pipeline stack (iam-policy.ts names them), with the context keys the call carries.
import { HANDLER_PERMISSIONS, HANDLERS, iamActionOf } from './handler-permissions.js';
import { uses } from './handler-requests.js';
import { ACCOUNT, PARTITION, PIPELINE_STACK, REGION, resourceValue, type IamRequest } from './iam-policy.js';
import { asList, objectAt, type CfnTemplate } from './security-rules.js';

export type Handler = (typeof HANDLERS)[number];

export interface PipelineRequest extends IamRequest {
  /** `LogicalId (Type)` of the resource the call is for. */
  resourceId: string;
  handler: Handler;
}

/** IAM actions that take the role's permissions boundary as iam:PermissionsBoundary. */
const BOUNDARY_KEYED = /^iam:(CreateRole|PutRolePolicy|DeleteRolePolicy|AttachRolePolicy|DetachRolePolicy|PutRolePermissionsBoundary|DeleteRolePermissionsBoundary)$/i;

/** The service a resource passes its role to, and the property naming the role. */
const PASSED: Record<string, [string, (properties: Record<string, unknown>) => unknown[]]> = {
  'AWS::CodeBuild::Project': ['codebuild.amazonaws.com', (p) => [p.ServiceRole]],
  'AWS::CodePipeline::Pipeline': ['codepipeline.amazonaws.com', (p) => [p.RoleArn]],
  'AWS::Events::Rule': ['events.amazonaws.com', (p) => asList(p.Targets).map((target) => objectAt(target).RoleArn).filter((role) => role !== undefined)],
};

/** Every connection ARN a pipeline's stages name. */
const connectionsOf = (properties: Record<string, unknown>): unknown[] =>
  asList(properties.Stages).flatMap((stage) => asList(objectAt(stage).Actions)).map((action) => objectAt(objectAt(action).Configuration).ConnectionArn).filter((arn) => arn !== undefined);

export class PipelineStackRequests {
  constructor(readonly template: CfnTemplate) {}

  private value(value: unknown): string {
    // A Ref or GetAtt of the stack, a parameter's default, a Sub: as the roles are resolved (iam-policy.ts).
    const record = objectAt(value);
    if (typeof value === 'string') return value;
    if (typeof record.Ref === 'string' && this.template.Resources[record.Ref]) return resourceValue(this.template, record.Ref);
    if (Array.isArray(record['Fn::GetAtt'])) return resourceValue(this.template, String(record['Fn::GetAtt'][0]), String(record['Fn::GetAtt'][1]));
    if (typeof record.Ref === 'string') return String(this.template.Parameters?.[record.Ref]?.Default ?? '');
    const text = record['Fn::Sub'];
    if (typeof text !== 'string') throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const known: Record<string, string> = { 'AWS::Partition': PARTITION, 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::StackName': PIPELINE_STACK, 'AWS::URLSuffix': 'amazonaws.com' };
      if (name in known) return known[name]!;
      const [id, attribute] = name.split('.');
      if (this.template.Resources[id!]) return resourceValue(this.template, id!, attribute);
      return String(this.template.Parameters?.[name]?.Default ?? '');
    });
  }

  /** Every call of the given handlers of one resource (delete: not for a retained resource, CloudFormation leaves it). */
  requestsOf(id: string, handlers: readonly Handler[] = HANDLERS): PipelineRequest[] {
    const resource = this.template.Resources[id]!;
    const permissions = HANDLER_PERMISSIONS.types[resource.Type];
    if (!permissions) throw new Error(`${id}: no handler permissions recorded for ${resource.Type}`);
    const properties = objectAt(resource.Properties);
    const requests: PipelineRequest[] = [];
    for (const handler of handlers) {
      if (handler === 'delete' && (resource as { DeletionPolicy?: string }).DeletionPolicy === 'Retain') continue;
      for (const action of new Set(permissions[handler])) {
        const condition = permissions.onlyWith?.[action];
        if (condition !== undefined && !uses(properties, condition)) continue;
        for (const request of this.requestsFor(id, resource.Type, properties, iamActionOf(action))) requests.push({ resourceId: `${id} (${resource.Type})`, handler, ...request });
      }
    }
    return requests;
  }

  /** Every call of every resource of the stack. */
  requests(handlers: readonly Handler[] = HANDLERS): PipelineRequest[] {
    return Object.keys(this.template.Resources).flatMap((id) => this.requestsOf(id, handlers));
  }

  private roleArn(value: unknown): string {
    const text = this.value(value);
    return text.startsWith('arn:') ? text : `arn:${PARTITION}:iam::${ACCOUNT}:role/${text}`;
  }

  /** The boundary a role of the stack carries, as iam:PermissionsBoundary (none: the key is absent). */
  private boundaryContext(roleArn: string): Record<string, string> | undefined {
    const role = Object.keys(this.template.Resources).find((id) => this.template.Resources[id]!.Type === 'AWS::IAM::Role' && resourceValue(this.template, id, 'Arn') === roleArn);
    const boundary = role === undefined ? undefined : objectAt(this.template.Resources[role]!.Properties).PermissionsBoundary;
    return boundary === undefined ? undefined : { 'iam:PermissionsBoundary': this.value(boundary) };
  }

  private requestsFor(id: string, type: string, properties: Record<string, unknown>, action: string): IamRequest[] {
    const [service, name] = action.split(':') as [string, string];
    const arn = (svc: string, resource: string) => `arn:${PARTITION}:${svc}:${REGION}:${ACCOUNT}:${resource}`;
    const withBoundary = (roleArn: string): IamRequest => {
      const context = BOUNDARY_KEYED.test(action) ? this.boundaryContext(roleArn) : undefined;
      return { action, resource: roleArn, ...(context ? { context } : {}) };
    };
    if (action === 'iam:PassRole' || (action === 'iam:GetRole' && type !== 'AWS::IAM::Role')) {
      const [passedTo, roles] = PASSED[type] ?? [undefined, () => []];
      if (passedTo === undefined) throw new Error(`${id}: no role modelled for ${action} on ${type}`);
      return roles(properties).map((role) => ({
        action, resource: this.roleArn(role), ...(action === 'iam:PassRole' ? { context: { 'iam:PassedToService': passedTo } } : {}),
      }));
    }
    if (service === 'codestar-connections' || (service === 'codeconnections' && name === 'PassConnection')) {
      return connectionsOf(properties).map((connection) => ({ action, resource: this.value(connection) }));
    }
    switch (type) {
      case 'AWS::IAM::Role':
        return [withBoundary(resourceValue(this.template, id, 'Arn'))];
      case 'AWS::IAM::Policy':
        return asList(properties.Roles).map((role) => withBoundary(this.roleArn(role)));
      case 'AWS::IAM::ManagedPolicy':
        if (/RolePolicy$/.test(name)) {
          return asList(properties.Roles).map((role) => ({ ...withBoundary(this.roleArn(role)), context: { ...this.boundaryContext(this.roleArn(role)), 'iam:PolicyARN': resourceValue(this.template, id) } }));
        }
        return [{ action, resource: resourceValue(this.template, id) }];
      case 'AWS::S3::Bucket':
        return [{ action, resource: resourceValue(this.template, id, 'Arn') }];
      case 'AWS::S3::BucketPolicy':
        return [{ action, resource: `arn:${PARTITION}:s3:::${this.value(properties.Bucket)}` }];
      case 'AWS::KMS::Key':
        return [{ action, resource: name === 'CreateKey' ? '*' : resourceValue(this.template, id, 'Arn') }];
      case 'AWS::CodeConnections::Connection':
        return [name === 'CreateConnection'
          ? { action, resource: '*', context: { 'codeconnections:ProviderType': this.value(properties.ProviderType) } }
          : { action, resource: resourceValue(this.template, id) }];
      case 'AWS::SNS::Topic':
        return [{ action, resource: resourceValue(this.template, id) }];
      case 'AWS::SNS::TopicPolicy':
        return asList(properties.Topics).map((topic) => ({ action, resource: this.value(topic) }));
      case 'AWS::CodeStarNotifications::NotificationRule':
        return [{ action, resource: resourceValue(this.template, id), context: { 'codestar-notifications:NotificationsForResource': this.value(properties.Resource) } }];
      case 'AWS::CodePipeline::Pipeline':
        return [{ action, resource: arn('codepipeline', resourceValue(this.template, id)) }];
      case 'AWS::Logs::LogGroup':
        return [{ action, resource: name === 'DescribeLogGroups' ? arn('logs', 'log-group:*') : resourceValue(this.template, id, 'Arn') }];
      case 'AWS::CodeBuild::ReportGroup':
        return [{ action, resource: resourceValue(this.template, id) }];
      case 'AWS::CodeBuild::Project': case 'AWS::Events::Rule': case 'AWS::CodeCommit::Repository':
        return [{ action, resource: resourceValue(this.template, id, 'Arn') }];
      default:
        throw new Error(`${id}: no request model for ${action} on ${type}`);
    }
  }
}
