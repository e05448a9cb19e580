// Failure notifications: a CodeStar Notifications rule on the pipeline publishes failed executions to an SNS topic
// that only that service may publish to, with the team's e-mail subscribed.
import type { Project } from '../../answers/project.js';
import { EMAIL_PATTERN } from '../../answers/rules.js';
import { arn, ref, sub, type Json, type Resources } from '../cfn.js';

export const NOTIFICATION_PARAMETER = 'NotificationEmail';
const TOPIC = 'PipelineFailureTopic';
const NOTIFICATIONS_SERVICE = 'codestar-notifications.amazonaws.com';
export const FAILED_EXECUTION_EVENT = 'codepipeline-pipeline-pipeline-execution-failed';

/** The address that hears about failures, when there is one (a blank saved answer is none). */
export const notifies = (project: Project): boolean => Boolean(project.notificationEmail);

export function notificationParameters(project: Project): Record<string, Record<string, Json>> {
  if (!notifies(project)) return {};
  return {
    [NOTIFICATION_PARAMETER]: {
      Type: 'String', Default: project.notificationEmail!, AllowedPattern: EMAIL_PATTERN,
      Description: 'Told by e-mail when a pipeline execution fails (confirm the subscription once)',
    },
  };
}

export function notificationResources(project: Project): Resources {
  if (!notifies(project)) return {};
  return {
    [TOPIC]: {
      Type: 'AWS::SNS::Topic',
      Metadata: {
        Justification: 'No KMS key: the AWS managed key alias/aws/sns does not let CodeStar Notifications publish, and a customer key is an extra cost the team can add',
      },
      Properties: {
        DisplayName: sub('${ApplicationName} pipeline failures'),
        Subscription: [{ Endpoint: ref(NOTIFICATION_PARAMETER), Protocol: 'email' }],
      },
    },
    [`${TOPIC}Policy`]: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [ref(TOPIC)],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            // No aws:SourceAccount condition: CodeStar Notifications is not documented to send it, and a condition it
            // never meets would silence every notification.
            { Sid: 'PublishFailures', Effect: 'Allow', Principal: { Service: NOTIFICATIONS_SERVICE }, Action: 'sns:Publish', Resource: ref(TOPIC) },
            {
              Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: ref(TOPIC),
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
    PipelineFailureNotification: {
      Type: 'AWS::CodeStarNotifications::NotificationRule',
      // The rule checks at creation that it may publish: the topic policy comes first.
      DependsOn: [`${TOPIC}Policy`],
      Properties: {
        Name: sub(project.failureRuleName.sub),
        // BASIC: FULL would put commit messages and other details into the e-mail.
        DetailType: 'BASIC',
        Resource: arn('codepipeline', '${AppPipeline}'),
        EventTypeIds: [FAILED_EXECUTION_EVENT],
        Targets: [{ TargetType: 'SNS', TargetAddress: ref(TOPIC) }],
      },
    },
  };
}

export function notificationOutputs(project: Project): Record<string, Record<string, Json>> {
  if (!notifies(project)) return {};
  return { PipelineFailureTopicArn: { Description: 'SNS topic told about failed pipeline executions', Value: ref(TOPIC) } };
}
