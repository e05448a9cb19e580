// CodeBuild: the package build (unit tests + `chalice package`) and the integration-test run, one role for both.
import { BUILD_IMAGES } from '../../facts/aws.js';
import type { Project } from '../../answers/project.js';
import { DELETE, arn, arnOf, policyDocument, ref, serviceRole, sub, type Json, type Resources, type Statement } from '../cfn.js';
import { artifactKeyStatement, withArtifactKey } from './encryption.js';
import { otherRegions, regionalParameter } from './placement.js';
import { bucketAccess } from './storage.js';

interface BuildProject {
  /** Logical ID of the CodeBuild project (AppPackageBuild is Chalice's). */
  id: string;
  /** Physical name suffix after the application name. */
  name: string;
  buildspec: string;
  description: string;
  /** Report group name used in the buildspec's `reports:` section, if the build publishes test results. */
  reports?: string;
  environment: Json[];
}

export function buildProjects(project: Project): BuildProject[] {
  const projects: BuildProject[] = [{
    id: 'AppPackageBuild', name: 'Build', buildspec: 'buildspec.yml',
    description: project.unitTests ? 'Runs the unit tests, then packages the app per stage' : 'Packages the app per stage',
    reports: project.unitTests ? 'unit-tests' : undefined,
    environment: [{ Name: 'APP_S3_BUCKET', Type: 'PLAINTEXT', Value: ref('ApplicationBucket') }, ...regionalPackageBuckets(project)],
  }];
  if (project.integrationTests) {
    projects.push({
      id: 'IntegrationTestBuild', name: 'IntegrationTests', buildspec: 'buildspec-integration.yml',
      description: 'Runs tests/integration against the beta endpoint', reports: 'integration-tests', environment: [],
    });
  }
  return projects;
}

/** The packaged code of a stage in another region goes to a bucket of that region: APP_S3_BUCKET_EU_WEST_1, ... */
export const packageBucketVariable = (region?: string) => (region ? `APP_S3_BUCKET_${region.toUpperCase().replaceAll('-', '_')}` : 'APP_S3_BUCKET');

function regionalPackageBuckets(project: Project): Json[] {
  return otherRegions(project).map(({ region }) => ({ Name: packageBucketVariable(region), Type: 'PLAINTEXT', Value: ref(regionalParameter(region, 'PackageBucket')) }));
}

/** CodeBuild names the report group of `reports: <name>` in project P `P-<name>`; the stack creates it first. */
const reportGroupName = (build: BuildProject) => `\${ApplicationName}${build.name}-${build.reports}`;
const logGroupId = (build: BuildProject) => `${build.id}LogGroup`;
const reportGroupId = (build: BuildProject) => `${build.id}Reports`;

/** The CodeBuild environment type of the project's image (ARM images need ARM_CONTAINER). */
export const containerType = (project: Project) => (BUILD_IMAGES.find((image) => image.name === project.codebuildImage)?.arm ? 'ARM_CONTAINER' : 'LINUX_CONTAINER');

export function buildResources(project: Project): Resources {
  const builds = buildProjects(project);
  const resources: Resources = {
    CodeBuildRole: serviceRole('codebuild.amazonaws.com', 'Role of the CodeBuild projects of this pipeline'),
    CodeBuildPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'CodeBuildAccess',
        Roles: [ref('CodeBuildRole')],
        PolicyDocument: policyDocument(buildStatements(project, builds)),
      },
    },
  };
  for (const build of builds) {
    resources[logGroupId(build)] = {
      Type: 'AWS::Logs::LogGroup',
      ...DELETE,
      Properties: { LogGroupName: sub(`/aws/codebuild/\${AWS::StackName}/${build.name}`), RetentionInDays: 30 },
    };
    if (build.reports) {
      resources[reportGroupId(build)] = {
        Type: 'AWS::CodeBuild::ReportGroup',
        ...DELETE,
        Properties: {
          Name: sub(reportGroupName(build)), Type: 'TEST', DeleteReports: true,
          ExportConfig: { ExportConfigType: 'NO_EXPORT' },
        },
      };
    }
    resources[build.id] = {
      Type: 'AWS::CodeBuild::Project',
      ...(build.reports ? { DependsOn: [reportGroupId(build)] } : {}),
      Properties: {
        Name: sub(`\${ApplicationName}${build.name}`),
        Description: build.description,
        ServiceRole: arnOf('CodeBuildRole'),
        Artifacts: { Type: 'CODEPIPELINE' },
        Source: { Type: 'CODEPIPELINE', BuildSpec: build.buildspec },
        Environment: {
          ComputeType: 'BUILD_GENERAL1_SMALL',
          Image: ref('CodeBuildImage'),
          Type: containerType(project),
          PrivilegedMode: false,
          EnvironmentVariables: build.environment,
        },
        Cache: { Type: 'S3', Location: sub(`\${ArtifactBucketStore}/codebuild-cache/${build.name}`) },
        LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: ref(logGroupId(build)) } },
        EncryptionKey: withArtifactKey(project, (key) => key),
        TimeoutInMinutes: 30,
        QueuedTimeoutInMinutes: 60,
      },
    };
  }
  return resources;
}

function buildStatements(project: Project, builds: BuildProject[]): Statement[] {
  const statements: Statement[] = [
    { Sid: 'WriteLogs', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: builds.map((b) => arnOf(logGroupId(b))) },
    bucketAccess('ReadWriteArtifactsAndPackages', ['ArtifactBucketStore', 'ApplicationBucket'], ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject']),
    {
      Sid: 'LocateBuckets',
      Action: ['s3:GetBucketAcl', 's3:GetBucketLocation', 's3:ListBucket'],
      Resource: [arnOf('ArtifactBucketStore'), arnOf('ApplicationBucket')],
    },
  ];
  statements.push(...regionalPackageStatements(project), artifactKeyStatement(project));
  const reporting = builds.filter((b) => b.reports);
  if (reporting.length > 0) {
    statements.push({
      Sid: 'PublishTestReports',
      Action: ['codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases', 'codebuild:BatchPutCodeCoverages'],
      Resource: reporting.map((b) => arn('codebuild', `report-group/${reportGroupName(b)}`)),
    });
  }
  return statements;
}

/** Upload the packaged code to the bucket of each other region (the build checks first what is there). */
function regionalPackageStatements(project: Project): Statement[] {
  const buckets = otherRegions(project).map(({ region }) => regionalParameter(region, 'PackageBucket'));
  if (buckets.length === 0) return [];
  return [
    { Sid: 'UploadRegionalPackages', Action: ['s3:GetObject', 's3:PutObject'], Resource: buckets.map((name) => sub(`arn:\${AWS::Partition}:s3:::\${${name}}/*`)) },
    { Sid: 'LocateRegionalPackageBuckets', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: buckets.map((name) => sub(`arn:\${AWS::Partition}:s3:::\${${name}}`)) },
  ];
}

/** What the pipeline role needs to run the builds. */
export function buildRunStatements(project: Project): Statement[] {
  return [{
    Sid: 'RunBuilds',
    Action: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'],
    Resource: buildProjects(project).map((b) => arnOf(b.id)),
  }];
}
