// The Source stage: a CodeCommit repository watched by an EventBridge rule, or a CodeConnections connection.
import { CONNECTION_PROVIDERS } from '../../facts/aws.js';
import type { Project } from '../../answers/project.js';
import {
  RETAIN, actionType, arn, arnOf, getAtt, policyDocument, ref, serviceRole, sub, type Json, type Resources,
  type Statement,
} from '../cfn.js';

export const SOURCE_ARTIFACT = 'SourceRepo';

export function sourceResources(project: Project): Resources {
  if (project.usesConnection) {
    if (project.connectionArn) return {};
    const provider = CONNECTION_PROVIDERS[project.source as keyof typeof CONNECTION_PROVIDERS];
    return {
      SourceConnection: {
        Type: 'AWS::CodeConnections::Connection',
        Properties: { ConnectionName: sub(project.connectionName.sub), ProviderType: provider.providerType },
      },
    };
  }
  return {
    // Chalice's logical ID: a stack made by `chalice generate-pipeline` keeps its repository on update.
    SourceRepository: {
      Type: 'AWS::CodeCommit::Repository',
      ...RETAIN,
      Properties: {
        RepositoryName: ref('RepositoryName'),
        RepositoryDescription: sub('Source of the ${ApplicationName} Chalice application'),
      },
    },
    // CodeCommit has no V2 trigger: the console's way is an EventBridge rule on the branch.
    SourceChangeRule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: sub('Starts ${ApplicationName}Pipeline on a push to the released branch'),
        EventPattern: {
          source: ['aws.codecommit'],
          'detail-type': ['CodeCommit Repository State Change'],
          resources: [arnOf('SourceRepository')],
          detail: { event: ['referenceCreated', 'referenceUpdated'], referenceType: ['branch'], referenceName: [ref('BranchName')] },
        },
        Targets: [{ Arn: pipelineArn, Id: 'Pipeline', RoleArn: arnOf('SourceChangeRuleRole') }],
      },
    },
    SourceChangeRuleRole: serviceRole('events.amazonaws.com', 'Lets the source rule start the pipeline', {
      Policies: [{
        PolicyName: 'StartPipeline',
        PolicyDocument: policyDocument([{ Sid: 'StartPipeline', Action: ['codepipeline:StartPipelineExecution'], Resource: [pipelineArn] }]),
      }],
    }),
  };
}

const pipelineArn = arn('codepipeline', '${AppPipeline}');

/** The connection the source action and the pipeline role use. */
export function connectionArnValue(project: Project): Json {
  return project.connectionArn ? ref('ConnectionArn') : getAtt('SourceConnection', 'ConnectionArn');
}

export function sourceAction(project: Project): Json {
  const output = { OutputArtifacts: [{ Name: SOURCE_ARTIFACT }], RunOrder: 1 };
  if (!project.usesConnection) {
    return {
      Name: 'Source',
      ActionTypeId: actionType('Source', 'CodeCommit'),
      Configuration: {
        RepositoryName: getAtt('SourceRepository', 'Name'),
        BranchName: ref('BranchName'),
        PollForSourceChanges: false,
        OutputArtifactFormat: 'CODE_ZIP',
      },
      ...output,
    };
  }
  return {
    Name: 'Source',
    ActionTypeId: actionType('Source', 'CodeStarSourceConnection'),
    Configuration: {
      ConnectionArn: connectionArnValue(project),
      FullRepositoryId: ref('RepositoryId'),
      BranchName: ref('BranchName'),
      OutputArtifactFormat: 'CODE_ZIP',
      DetectChanges: true,
    },
    ...output,
  };
}

/** V2 push trigger on the branch (connection sources only; CodeCommit uses the EventBridge rule). */
export function sourceTriggers(project: Project): Json[] {
  if (!project.usesConnection || project.pipelineType !== 'V2') return [];
  return [{
    ProviderType: 'CodeStarSourceConnection',
    GitConfiguration: { SourceActionName: 'Source', Push: [{ Branches: { Includes: [ref('BranchName')] } }] },
  }];
}

/** What the pipeline role needs to read the source. */
export function sourceStatements(project: Project): Statement[] {
  if (project.usesConnection) {
    return [{
      Sid: 'UseConnection',
      Action: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
      Resource: [connectionArnValue(project)],
    }];
  }
  return [{
    Sid: 'ReadSource',
    Action: [
      'codecommit:GetBranch', 'codecommit:GetCommit', 'codecommit:GetRepository', 'codecommit:UploadArchive',
      'codecommit:GetUploadArchiveStatus', 'codecommit:CancelUploadArchive',
    ],
    Resource: [arnOf('SourceRepository')],
  }];
}
