// What CloudFormation asks IAM when it creates, updates and deletes each resource of a deployed (SAM-expanded)
// Chalice template under the deploy role: the handler permissions of handler-permissions.ts, each on the ARN the
// resource gets in this stack (names CloudFormation generates: <stack>-<LogicalId>-<random>, cut to the service's
// limit) with the context keys the call carries.
import { cloudFormationName } from './sam.js';
import { HANDLER_PERMISSIONS } from './handler-permissions.js';
import { ACCOUNT, PARTITION, REGION, type IamRequest } from './iam-policy.js';
import { asList, isObject, objectAt, type CfnTemplate } from './security-rules.js';

export { HANDLER_PERMISSIONS };

export interface HandlerRequest extends IamRequest {
  /** `LogicalId (Type)` of the resource the call is for. */
  resourceId: string;
}

const arn = (service: string, resource: string, region = REGION) => `arn:${PARTITION}:${service}:${region}:${ACCOUNT}:${resource}`;
const apigateway = (path: string) => `arn:${PARTITION}:apigateway:${REGION}::${path}`;

/** A name CloudFormation generates (test/support/sam.ts), with a fixed random tail. */
export const generatedName = (stack: string, logicalId: string, limit: number): string => cloudFormationName(stack, logicalId, limit, '1A2B3C4D5E6F');

/** Whether the resource uses the property an optional permission depends on (see handler-permission-additions.json). */
export function uses(properties: Record<string, unknown>, condition: string): boolean {
  const [path, text] = condition.split('~');
  let value: unknown = properties;
  for (const part of path.split('/')) value = objectAt(value)[part];
  if (value === undefined) return false;
  return text === undefined || JSON.stringify(value).includes(text);
}

/** Physical names and IDs of one deployed stack's resources, as CloudFormation will give them. */
export class DeployedStack {
  /** `serverless`: the packaged template names the Serverless transform (Chalice's always do). */
  constructor(
    readonly template: CfnTemplate, readonly stackName: string, readonly serverless = true,
    /** Values of the stack's parameters (e.g. the CodeDeploy role the pipeline passes). */
    readonly parameters: Record<string, string> = {},
  ) {}

  resource(id: string) {
    const resource = this.template.Resources[id];
    if (!resource) throw new Error(`no resource ${id} in the template`);
    return { type: resource.Type, properties: objectAt(resource.Properties) };
  }

  /** Ref of a resource: its physical name or ID. */
  physicalId(id: string): string {
    const { type, properties } = this.resource(id);
    switch (type) {
      case 'AWS::Lambda::Function': return typeof properties.FunctionName === 'string' ? properties.FunctionName : generatedName(this.stackName, id, 64);
      case 'AWS::IAM::Role': return typeof properties.RoleName === 'string' ? properties.RoleName : generatedName(this.stackName, id, 64);
      case 'AWS::Events::Rule': return typeof properties.Name === 'string' ? properties.Name : generatedName(this.stackName, id, 64);
      case 'AWS::Lambda::LayerVersion': return `${arn('lambda', `layer:${String(properties.LayerName)}`)}:1`;
      case 'AWS::ApiGateway::DomainName': case 'AWS::ApiGatewayV2::DomainName': return String(properties.DomainName);
      case 'AWS::ApiGateway::Stage': case 'AWS::ApiGatewayV2::Stage': return String(properties.StageName);
      case 'AWS::Logs::LogGroup': return this.value(properties.LogGroupName);
      case 'AWS::Lambda::EventSourceMapping': return `${id.toLowerCase().slice(0, 8)}-1111-2222-3333-444455556666`;
      case 'AWS::CloudWatch::Alarm': return properties.AlarmName !== undefined ? this.value(properties.AlarmName) : generatedName(this.stackName, id, 255);
      case 'AWS::CodeDeploy::Application': case 'AWS::CodeDeploy::DeploymentGroup': return generatedName(this.stackName, id, 100);
      // Ref of a version or alias: its qualified function ARN.
      case 'AWS::Lambda::Version': return `${this.value(properties.FunctionName).replace(/^(?!arn:)/, `${arn('lambda', 'function:')}`)}:1`;
      case 'AWS::Lambda::Alias': return `${this.value(properties.FunctionName).replace(/^(?!arn:)/, `${arn('lambda', 'function:')}`)}:${String(properties.Name)}`;
      default: return `${id.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 10)}`;
    }
  }

  /** Fn::GetAtt X.Arn of a resource. */
  arnOf(id: string): string {
    const { type } = this.resource(id);
    if (type === 'AWS::Lambda::Function') return arn('lambda', `function:${this.physicalId(id)}`);
    if (type === 'AWS::IAM::Role') return `arn:${PARTITION}:iam::${ACCOUNT}:role/${this.physicalId(id)}`;
    throw new Error(`no Arn attribute modelled for ${type}`);
  }

  /** A property value as a string: literals, Ref, GetAtt Arn, Fn::Sub with pseudo parameters and resources. */
  value(value: unknown): string {
    if (typeof value === 'string') return value;
    const record = objectAt(value);
    if (typeof record.Ref === 'string') return this.parameters[record.Ref] ?? this.physicalId(record.Ref);
    if (Array.isArray(record['Fn::GetAtt'])) return this.arnOf(String(record['Fn::GetAtt'][0]));
    const sub = record['Fn::Sub'];
    const [text, variables] = Array.isArray(sub) ? [String(sub[0]), objectAt(sub[1])] : [String(sub), {}];
    if (sub === undefined) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      if (name in variables) return this.value(variables[name]);
      const known: Record<string, string> = {
        'AWS::Partition': PARTITION, 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': this.stackName,
      };
      if (name in known) return known[name];
      const [id, attribute] = name.split('.');
      return attribute === 'Arn' ? this.arnOf(id) : this.physicalId(id);
    });
  }

  /** Every call each resource's handlers make (create, update, delete, read), optional ones only when used. */
  requests(): HandlerRequest[] {
    const requests: HandlerRequest[] = [];
    if (this.serverless) {
      // The change set expands the Serverless transform with the deploy role.
      requests.push({ resourceId: 'Transform', action: 'cloudformation:CreateChangeSet', resource: `arn:${PARTITION}:cloudformation:${REGION}:aws:transform/Serverless-2016-10-31` });
    }
    for (const [id, resource] of Object.entries(this.template.Resources)) {
      const permissions = HANDLER_PERMISSIONS.types[resource.Type];
      if (!permissions) throw new Error(`${id}: no handler permissions recorded for ${resource.Type} (a legacy type: add it to test/support/handler-permission-additions.json)`);
      const properties = objectAt(resource.Properties);
      const actions = new Set([...permissions.create, ...permissions.update, ...permissions.delete, ...permissions.read]);
      for (const action of actions) {
        const condition = permissions.onlyWith?.[action];
        if (condition !== undefined && !uses(properties, condition)) continue;
        for (const request of this.requestsFor(id, resource.Type, properties, action)) requests.push({ resourceId: `${id} (${resource.Type})`, ...request });
      }
    }
    return requests;
  }

  private requestsFor(id: string, type: string, properties: Record<string, unknown>, action: string): IamRequest[] {
    const [service, name] = action.split(':');
    const functionArn = (value: unknown) => {
      const text = this.value(value);
      return text.startsWith('arn:') ? text : arn('lambda', `function:${text}`);
    };
    if (action === 'iam:PassRole' && type === 'AWS::CodeDeploy::DeploymentGroup') {
      return [{ action, resource: this.value(properties.ServiceRoleArn), context: { 'iam:PassedToService': 'codedeploy.amazonaws.com' } }];
    }
    if (action === 'iam:PassRole') {
      return [{ action, resource: this.value(properties.Role), context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }];
    }
    if (service === 's3') {
      const code = objectAt(properties.Code ?? properties.Content);
      return [{ action, resource: `arn:${PARTITION}:s3:::${this.value(code.S3Bucket)}/${this.value(code.S3Key)}` }];
    }
    if (service === 'ec2' || service === 'cloudfront') return [{ action, resource: '*' }];
    switch (type) {
      case 'AWS::Lambda::Function':
        if (action === 'lambda:GetLayerVersion') return asList(properties.Layers).map((layer) => ({ action, resource: this.value(layer) }));
        return [{ action, resource: arn('lambda', `function:${this.physicalId(id)}`) }];
      case 'AWS::Lambda::Permission':
        return [{ action, resource: functionArn(properties.FunctionName) }];
      case 'AWS::Lambda::EventSourceMapping': {
        const context = { 'lambda:FunctionArn': functionArn(properties.FunctionName) };
        if (name === 'CreateEventSourceMapping') return [{ action, resource: '*', context }];
        const mapping = arn('lambda', `event-source-mapping:${this.physicalId(id)}`);
        // Tagging authorises on the mapping alone: it carries no lambda:FunctionArn.
        return [{ action, resource: mapping, ...(/tag/i.test(name) ? {} : { context }) }];
      }
      case 'AWS::Lambda::LayerVersion': {
        const layer = arn('lambda', `layer:${String(properties.LayerName)}`);
        return [{ action, resource: name === 'PublishLayerVersion' ? layer : `${layer}:1` }];
      }
      case 'AWS::IAM::Role':
        return [{ action, resource: `arn:${PARTITION}:iam::${ACCOUNT}:role/${this.physicalId(id)}` }];
      case 'AWS::Logs::LogGroup':
        return [{ action, resource: name === 'DescribeLogGroups' ? arn('logs', 'log-group:*') : arn('logs', `log-group:${this.physicalId(id)}:*`) }];
      case 'AWS::Events::Rule':
        return [{ action, resource: arn('events', `rule/${this.physicalId(id)}`) }];
      case 'AWS::Lambda::Version': {
        const version = this.physicalId(id);
        return [{ action, resource: name === 'PublishVersion' ? version.replace(/:1$/, '') : version }];
      }
      case 'AWS::Lambda::Alias': {
        // Updating the alias runs its CodeDeploy deployment (UpdatePolicy CodeDeployLambdaAliasUpdate).
        if (service === 'codedeploy') return this.deploymentRequests(id, action);
        const alias = this.physicalId(id);
        return [{ action, resource: name === 'CreateAlias' ? alias.replace(/:[^:]+$/, '') : alias }];
      }
      case 'AWS::CloudWatch::Alarm':
        return [{ action, resource: arn('cloudwatch', `alarm:${this.physicalId(id)}`) }];
      case 'AWS::CodeDeploy::Application':
        return [{ action, resource: arn('codedeploy', `application:${this.physicalId(id)}`) }];
      case 'AWS::CodeDeploy::DeploymentGroup':
        if (name === 'GetDeploymentConfig') return [{ action, resource: arn('codedeploy', `deploymentconfig:${this.value(properties.DeploymentConfigName)}`) }];
        return [{ action, resource: arn('codedeploy', `deploymentgroup:${this.value(properties.ApplicationName)}/${this.physicalId(id)}`) }];
      case 'AWS::SNS::Subscription':
        if (name === 'Subscribe') {
          return [{ action, resource: this.value(properties.TopicArn), context: { 'sns:Protocol': String(properties.Protocol), 'sns:Endpoint': this.value(properties.Endpoint) } }];
        }
        return [{ action, resource: '*' }];
      default:
        return this.apigatewayRequests(id, type, properties, action);
    }
  }

  /** The CodeDeploy calls of an alias update: on its deployment group, the config on the group's deployment config. */
  private deploymentRequests(id: string, action: string): IamRequest[] {
    const policy = objectAt(objectAt(objectAt(this.template.Resources[id]).UpdatePolicy).CodeDeployLambdaAliasUpdate);
    const group = this.value(policy.DeploymentGroupName);
    if (action === 'codedeploy:GetDeploymentConfig') {
      const config = this.value(objectAt(this.resource(String(objectAt(policy.DeploymentGroupName).Ref)).properties).DeploymentConfigName);
      return [{ action, resource: arn('codedeploy', `deploymentconfig:${config}`) }];
    }
    return [{ action, resource: arn('codedeploy', `deploymentgroup:${this.value(policy.ApplicationName)}/${group}`) }];
  }

  /** API Gateway authorises its REST verbs on resource paths: POST on the collection, the rest on the item. */
  private apigatewayRequests(id: string, type: string, properties: Record<string, unknown>, action: string): IamRequest[] {
    const under = (parent: string, key: string, children: string): [string, string] => {
      const collection = `/${parent}/${this.value(properties[key])}/${children}`;
      return [collection, `${collection}/${key === 'DomainName' && children === 'basepathmappings' ? String(properties.BasePath ?? '(none)') : this.physicalId(id)}`];
    };
    const paths: Record<string, () => [string, string]> = {
      'AWS::ApiGateway::RestApi': () => ['/restapis', `/restapis/${this.physicalId(id)}`],
      'AWS::ApiGateway::Deployment': () => under('restapis', 'RestApiId', 'deployments'),
      'AWS::ApiGateway::Stage': () => under('restapis', 'RestApiId', 'stages'),
      'AWS::ApiGateway::DomainName': () => ['/domainnames', `/domainnames/${this.physicalId(id)}`],
      'AWS::ApiGateway::BasePathMapping': () => under('domainnames', 'DomainName', 'basepathmappings'),
      'AWS::ApiGatewayV2::Api': () => ['/apis', `/apis/${this.physicalId(id)}`],
      'AWS::ApiGatewayV2::Integration': () => under('apis', 'ApiId', 'integrations'),
      'AWS::ApiGatewayV2::Route': () => under('apis', 'ApiId', 'routes'),
      'AWS::ApiGatewayV2::Deployment': () => under('apis', 'ApiId', 'deployments'),
      'AWS::ApiGatewayV2::Stage': () => under('apis', 'ApiId', 'stages'),
      'AWS::ApiGatewayV2::DomainName': () => ['/domainnames', `/domainnames/${this.physicalId(id)}`],
      'AWS::ApiGatewayV2::ApiMapping': () => under('domainnames', 'DomainName', 'apimappings'),
    };
    const [collection, item] = paths[type]?.() ?? [];
    if (!collection || !action.startsWith('apigateway:')) throw new Error(`${id}: no request model for ${action} on ${type}`);
    return [{ action, resource: apigateway(action === 'apigateway:POST' ? collection : item) }];
  }
}

export const isTemplate = (value: unknown): value is CfnTemplate => isObject(value) && isObject(value.Resources);
