// The Chalice features a pipeline meets (shared reference chalice-features.md, measured with Chalice 1.33): how each
// shows in an app, whether `chalice package` can package it, and whether deploying it needs values only the app has.

export const CHALICE_FEATURES = [
  { id: 'routes', title: 'REST API routes', source: '@app.route', needsAppValues: false },
  { id: 'authorizer', title: 'Lambda authorizers', source: '@app.authorizer', needsAppValues: false },
  { id: 'schedule', title: 'schedules', source: '@app.schedule', needsAppValues: false },
  { id: 'cw-event', title: 'EventBridge events', source: '@app.on_cw_event', needsAppValues: false },
  { id: 'sqs', title: 'SQS handlers', source: '@app.on_sqs_message', needsAppValues: false },
  { id: 'sns', title: 'SNS handlers', source: '@app.on_sns_message', needsAppValues: false },
  { id: 'kinesis', title: 'Kinesis handlers', source: '@app.on_kinesis_record', needsAppValues: false },
  { id: 'dynamodb', title: 'DynamoDB stream handlers', source: '@app.on_dynamodb_record', needsAppValues: false },
  { id: 'pure-function', title: 'pure Lambda functions', source: '@app.lambda_function', needsAppValues: false },
  { id: 'websocket', title: 'WebSocket APIs', source: '@app.on_ws_connect / on_ws_message / on_ws_disconnect', needsAppValues: false },
  { id: 'private-api', title: 'private REST APIs', source: 'api_gateway_endpoint_type: PRIVATE', needsAppValues: false },
  { id: 'xray', title: 'X-Ray tracing', source: 'xray', needsAppValues: false },
  { id: 'reserved-concurrency', title: 'reserved concurrency', source: 'reserved_concurrency', needsAppValues: false },
  { id: 'log-retention', title: 'log retention', source: 'log_retention_in_days', needsAppValues: false },
  { id: 'managed-layer', title: "Chalice's managed layer", source: 'automatic_layer', needsAppValues: false },
  { id: 'rest-domain', title: 'REST API custom domains', source: 'api_gateway_custom_domain', needsAppValues: true },
  { id: 'websocket-domain', title: 'WebSocket API custom domains', source: 'websocket_api_custom_domain', needsAppValues: true },
  { id: 'vpc', title: 'VPC settings', source: 'subnet_ids + security_group_ids', needsAppValues: true },
  { id: 'team-layers', title: "the team's own layers", source: 'layers', needsAppValues: true },
  { id: 'precreated-role', title: 'a pre-created role', source: 'manage_iam_role: false + iam_role_arn', needsAppValues: true },
] as const;

export type ChaliceFeatureId = (typeof CHALICE_FEATURES)[number]['id'];

export const featureTitle = (id: ChaliceFeatureId): string => CHALICE_FEATURES.find((feature) => feature.id === id)?.title ?? id;

/** `chalice package` raises NotImplementedError for it: CloudFormation cannot change an existing bucket's notifications. */
export const UNPACKAGEABLE_S3_EVENTS = {
  decorator: '@app.on_s3_event',
  instead: 'send the bucket\'s events to EventBridge (bucket setting "Amazon EventBridge: On") and handle them with '
    + "@app.on_cw_event({'source': ['aws.s3'], 'detail-type': ['Object Created']}), or notify an SNS topic or SQS queue "
    + 'and use @app.on_sns_message / @app.on_sqs_message',
};

/** A REST custom domain: edge-optimized domains sit behind a CloudFront distribution API Gateway manages. */
export interface CustomDomain {
  name: string;
  edge: boolean;
}

/** What a Chalice app uses, read from its .chalice/config.json and Python sources (lib/repository/chalice-app.ts). */
export interface ChaliceAppFacts {
  features: ChaliceFeatureId[];
  /** Some function of a deployed stage gets a role the stack creates (manage_iam_role is not false everywhere). */
  stackRoles: boolean;
  /** iam_role_arn values of functions whose role is not managed by Chalice. */
  roleArns: string[];
  layerArns: string[];
  restDomains: CustomDomain[];
  websocketDomains: string[];
  /** Where the app uses @app.on_s3_event (file:line), which `chalice package` refuses. */
  s3Events: string[];
  /**
   * The config's app_name when it is not the appName the pipeline's AWS names come from (shop_orders, not
   * shop-orders): Chalice names the managed layer after it.
   */
  chaliceName?: string;
}

/** The app a new repository starts with: REST routes, roles managed by Chalice. */
export const NEW_APP: ChaliceAppFacts = {
  features: ['routes'], stackRoles: true, roleArns: [], layerArns: [], restDomains: [], websocketDomains: [], s3Events: [],
};
