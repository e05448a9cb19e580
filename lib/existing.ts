// What an existing Chalice repository already says: its root, app name, Python version, and a pipeline.json
// made by `chalice generate-pipeline` (recognised so that ours updates that stack in place).
import { dirname, join, resolve } from 'node:path';
import { PYTHON_VERSIONS } from './aws.js';
import { InputError } from './answers.js';
import type { Json } from './pipeline/cfn.js';
import type { PipelineTemplate } from './pipeline/template.js';
import type { PartialAnswers } from './settings.js';

export type Exists = (absolutePath: string) => boolean;

/** Walk up from `start` to the folder holding .chalice/config.json (or our .yo-rc.json). */
export function findRepositoryRoot(start: string, exists: Exists): string {
  let folder = resolve(start);
  for (;;) {
    if (exists(join(folder, '.chalice', 'config.json')) || exists(join(folder, '.yo-rc.json'))) return folder;
    const parent = dirname(folder);
    if (parent === folder) {
      throw new InputError([`not inside a Chalice repository: no .chalice/config.json in ${resolve(start)} or any folder above it (run \`chalice-pipeline\` to create a new app)`]);
    }
    folder = parent;
  }
}

type Read = (path: string) => string | undefined;

/** Answers the repository states itself: app_name, and the Python version of .python-version. */
export function answersFromRepository(read: Read): PartialAnswers {
  const found: PartialAnswers = {};
  const config = read('.chalice/config.json');
  if (config !== undefined) {
    let parsed: { app_name?: unknown };
    try {
      parsed = JSON.parse(config) as { app_name?: unknown };
    } catch (error) {
      throw new InputError([`.chalice/config.json is not valid JSON (${(error as Error).message}); fix it first`]);
    }
    if (typeof parsed.app_name === 'string') found.appName = parsed.app_name;
  }
  const pinned = /^(\d+\.\d+)/.exec(read('.python-version')?.trim() ?? '')?.[1];
  if (pinned && (PYTHON_VERSIONS as readonly string[]).includes(pinned)) found.pythonVersion = pinned;
  return { ...found, ...answersFromChaliceTemplate(read) };
}

export interface ChaliceTemplate {
  flavour: 'codecommit' | 'github-v1' | 'github-v2';
  template: PipelineTemplate;
}

/** A pipeline.json written by `chalice generate-pipeline` (v1 or v2), recognised by its logical IDs and parameters. */
export function recogniseChaliceTemplate(read: Read): ChaliceTemplate | undefined {
  const text = read('pipeline.json');
  if (text === undefined) return undefined;
  let template: PipelineTemplate;
  try {
    template = JSON.parse(text) as PipelineTemplate;
  } catch {
    return undefined;
  }
  const resources = template.Resources ?? {};
  const params = template.Parameters ?? {};
  const chaliceIds = ['ApplicationBucket', 'CodeBuildRole', 'CodeBuildPolicy', 'AppPackageBuild', 'AppPipeline', 'ArtifactBucketStore', 'CFNDeployRole'];
  if (!chaliceIds.every((id) => id in resources) || !('ApplicationName' in params) || 'BranchName' in params) return undefined;
  if ('SourceRepository' in resources) return { flavour: 'codecommit', template };
  if ('GithubPersonalToken' in params) return { flavour: 'github-v1', template };
  if ('GithubRepoSecretId' in params || 'GithubOwner' in params) return { flavour: 'github-v2', template };
  return undefined;
}

function answersFromChaliceTemplate(read: Read): PartialAnswers {
  const old = recogniseChaliceTemplate(read);
  if (!old) return {};
  const defaultOf = (name: string) => {
    const value = old.template.Parameters[name]?.Default;
    return typeof value === 'string' ? value : undefined;
  };
  const found: PartialAnswers = {};
  const appName = defaultOf('ApplicationName');
  if (appName) [found.appName, found.repository] = [appName, appName];
  if (old.flavour !== 'codecommit') {
    found.source = 'github';
    const owner = defaultOf('GithubOwner');
    const repo = defaultOf('GithubRepoName');
    found.repository = owner && repo ? `${owner}/${repo}` : undefined;
  }
  return Object.fromEntries(Object.entries(found).filter(([, value]) => value !== undefined));
}

/** Resources that hold data: an update must keep their logical IDs (or CloudFormation replaces them). */
export const DATA_RESOURCES = ['SourceRepository', 'ApplicationBucket', 'ArtifactBucketStore'];

/** What replacing the old template with ours does to the stack, in a few lines. */
export function upgradeReport(old: PipelineTemplate, next: PipelineTemplate): string[] {
  const before = old.Resources ?? {};
  const after = next.Resources;
  const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);
  const added = Object.keys(after).filter((id) => !(id in before));
  const removed = Object.keys(before).filter((id) => !(id in after));
  const changed = Object.keys(after).filter((id) => id in before && !same(before[id] as unknown as Json, after[id] as unknown as Json));
  const kept = DATA_RESOURCES.filter((id) => id in before && id in after);
  const lost = DATA_RESOURCES.filter((id) => id in before && !(id in after));
  const lines = [
    `upgrade of a \`chalice generate-pipeline\` template (stack updated in place, same logical IDs):`,
    `  keeps    ${kept.join(', ') || '(none)'}${kept.length > 0 ? ' (data kept: Retain on delete and replace)' : ''}`,
    `  adds     ${added.join(', ') || '(none)'}`,
    `  changes  ${changed.join(', ') || '(none)'}`,
    `  removes  ${removed.join(', ') || '(none)'}`,
  ];
  const oldParams = Object.keys(old.Parameters ?? {}).filter((name) => !(name in next.Parameters));
  if (oldParams.length > 0) lines.push(`  drops parameters ${oldParams.join(', ')}`);
  if (lost.length > 0) lines.push(`  note: ${lost.join(', ')} leave the template; CloudFormation deletes them unless they have DeletionPolicy Retain`);
  return lines;
}
