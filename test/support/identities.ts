// What a deployed stack cannot lose on an upgrade without CloudFormation replacing or deleting something: the logical
// IDs with their types, the names resources are given, the parameters with their defaults, the outputs, the pipeline's
// stages and actions (with the stacks, change sets and projects they name), and the Chalice stages. Taken from the
// generated files of every two-stage answer set; test/fixtures/two-stage-before.json holds them as the code before the
// stage list (commit 2399b7f) generated them (written once by write-two-stage-before.ts, never rewritten by a test).
import type { PartialAnswers } from '../../lib/answers/settings.js';
import { BETA_ACCOUNT, LONGEST_APP_NAME, PROD_ACCOUNT, answersMatrix, newRepositoryFiles, variantName } from './tools.js';

type Json = unknown;
type Template = { Parameters?: Record<string, { Type?: string; Default?: Json }>; Resources?: Record<string, { Type: string; Properties?: Record<string, Json> }>; Outputs?: Record<string, Json> };

export interface TemplateIdentity {
  parameters: Record<string, string>;
  /** Logical ID -> type, and every top-level property whose key names something (RoleName, BucketName, Name...). */
  resources: Record<string, string>;
  outputs: string[];
  /** Pipeline stages in order, each with its actions and the stack, change set and project names they configure. */
  pipelineStages?: { name: string; actions: string[] }[];
}

export interface RepositoryIdentity {
  files: string[];
  chaliceStages: string[];
  templates: Record<string, TemplateIdentity>;
}

const NAMED_CONFIGURATION = ['StackName', 'ChangeSetName', 'ProjectName', 'ApplicationName', 'DeploymentGroupName'];

export function templateIdentity(template: Template): TemplateIdentity {
  const parameters = Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([name, p]) =>
    [name, `${p.Type}${'Default' in p ? ` = ${JSON.stringify(p.Default)}` : ''}`]));
  const resources: Record<string, string> = {};
  let pipelineStages: TemplateIdentity['pipelineStages'];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    resources[id] = resource.Type;
    for (const [key, value] of Object.entries(resource.Properties ?? {})) {
      if (/Name$/.test(key)) resources[`${id}.${key}`] = JSON.stringify(value);
    }
    if (resource.Type === 'AWS::CodePipeline::Pipeline') {
      const stages = (resource.Properties?.Stages ?? []) as { Name: string; Actions: { Name: string; Configuration?: Record<string, Json> }[] }[];
      pipelineStages = stages.map((stage) => ({
        name: stage.Name,
        actions: stage.Actions.map((action) => [action.Name, ...NAMED_CONFIGURATION.filter((key) => action.Configuration?.[key] !== undefined)
          .map((key) => `${key}=${JSON.stringify(action.Configuration![key])}`)].join(' ')),
      }));
    }
  }
  return { parameters, resources, outputs: Object.keys(template.Outputs ?? {}), ...(pipelineStages ? { pipelineStages } : {}) };
}

export function repositoryIdentity(files: Map<string, string>): RepositoryIdentity {
  const templates: Record<string, TemplateIdentity> = {};
  for (const [path, text] of files) {
    if (!path.endsWith('.json') || path.startsWith('.')) continue;
    const data = JSON.parse(text) as Template;
    if (data && typeof data === 'object' && 'Resources' in data) templates[path] = templateIdentity(data);
  }
  const config = JSON.parse(files.get('.chalice/config.json')!) as { stages: Record<string, unknown> };
  return { files: [...files.keys()].sort(), chaliceStages: Object.keys(config.stages), templates };
}

/** Every two-stage (and beta-only) answer set of the suite: the matrix, the placements and the long app names. */
export function twoStageAnswerSets(): Record<string, PartialAnswers> {
  const longNames: PartialAnswers[] = [
    { appName: LONGEST_APP_NAME },
    { appName: LONGEST_APP_NAME, source: 'github', repository: 'acme/orders', prodDeployment: 'Canary10Percent5Minutes' },
    { appName: LONGEST_APP_NAME, region: 'us-east-1', betaAccountId: BETA_ACCOUNT, prodAccountId: PROD_ACCOUNT, prodRegion: 'eu-west-1', prodDeployment: 'Linear10PercentEvery1Minute', selfUpdate: true },
    { appName: 'a'.repeat(23) },
    { appName: 'a'.repeat(24), prodAccountId: PROD_ACCOUNT },
    { appName: 'a'.repeat(25), approvalEmail: 'team@example.com' },
    { appName: 'a'.repeat(60), notificationEmail: 'ops@example.com' },
  ];
  const sets: Record<string, PartialAnswers> = {};
  for (const answers of [...answersMatrix(), ...longNames]) {
    let name = variantName(answers);
    for (let n = 2; name in sets; n++) name = `${variantName(answers)}-${n}`;
    sets[name] = answers;
  }
  return sets;
}

export function twoStageIdentities(): Record<string, RepositoryIdentity> {
  return Object.fromEntries(Object.entries(twoStageAnswerSets()).map(([name, answers]) => [name, repositoryIdentity(newRepositoryFiles(answers))]));
}
