// What an existing Chalice repository already says: its root, app name, Python version, and a pipeline.json
// made by `chalice generate-pipeline` (recognised so that ours updates that stack in place).
import { dirname, join, resolve } from 'node:path';
import { PYTHON_VERSIONS } from '../facts/aws.js';
import { CONFIG_KEY, InputError } from '../answers/answers.js';
import type { Json } from '../cloudformation/cfn.js';
import type { PipelineTemplate } from '../cloudformation/pipeline/template.js';
import { MOVED_ACTIONS } from '../cloudformation/pipeline/review.js';
import { parseChaliceConfig } from './repo-files.js';
import { awsAppName, branchRule, chaliceAppNameRule } from '../answers/rules.js';
import type { PartialAnswers } from '../answers/settings.js';

export type Exists = (absolutePath: string) => boolean;

type Read = (path: string) => string | undefined;

/** The first folder from `start` upward that passes `test`, or undefined. */
function walkUp(start: string, test: (folder: string) => boolean): string | undefined {
  for (let folder = resolve(start); ; folder = dirname(folder)) {
    if (test(folder)) return folder;
    if (dirname(folder) === folder) return undefined;
  }
}

/**
 * Walk up from `start` to the folder holding .chalice/config.json (or our .yo-rc.json). Another generator's
 * .yo-rc.json (JHipster, ...) in a folder above is no Chalice root, so a .yo-rc.json counts only with our section
 * when `read` is given. `newAppCommand` is how the user creates a new app (named in the error).
 */
export function findRepositoryRoot(start: string, exists: Exists, read?: Read, newAppCommand = 'chalice-pipeline'): string {
  const root = findChaliceRoot(start, exists, read);
  if (root === undefined) {
    throw new InputError([`not inside a Chalice repository: no .chalice/config.json in ${resolve(start)} or any folder above it (run \`${newAppCommand}\` to create a new app)`]);
  }
  return root;
}

/** The Chalice repository around `start` (see findRepositoryRoot), or undefined. */
export function findChaliceRoot(start: string, exists: Exists, read?: Read): string | undefined {
  return walkUp(start, (folder) => exists(join(folder, '.chalice', 'config.json')) || isOurYoRc(join(folder, '.yo-rc.json'), exists, read));
}

export function isOurYoRc(path: string, exists: Exists, read?: Read): boolean {
  if (!exists(path)) return false;
  if (!read) return true;
  try {
    const data = JSON.parse(read(path) ?? '') as Record<string, unknown>;
    return typeof data === 'object' && data !== null && CONFIG_KEY in data;
  } catch {
    return false;
  }
}

/** Answers the repository states itself: app_name, and the Python version of .python-version. */
export function answersFromRepository(read: Read): PartialAnswers {
  const found: PartialAnswers = {};
  const config = read('.chalice/config.json');
  if (config !== undefined) {
    const { app_name: appName } = parseChaliceConfig(config);
    // Said before any question: an app_name Chalice cannot deploy has no pipeline either.
    const broken = typeof appName === 'string' ? chaliceAppNameRule(appName) : undefined;
    if (broken) throw new InputError([`.chalice/config.json: app_name ${JSON.stringify(appName)} is invalid: ${broken}; fix it first`]);
    // The pipeline's AWS names come from it (shop_orders: shop-orders); config.json and app.py keep it as it is.
    if (typeof appName === 'string') found.appName = awsAppName(appName);
  }
  const branch = currentBranch(read);
  if (branch && !branchRule(branch)) found.branch = branch;
  const pinned = /^(\d+\.\d+)/.exec(read('.python-version')?.trim() ?? '')?.[1];
  if (pinned && (PYTHON_VERSIONS as readonly string[]).includes(pinned)) found.pythonVersion = pinned;
  return { ...found, ...answersFromChaliceTemplate(read) };
}

/** The branch checked out in the repository (read from .git/HEAD, no git process), if any. */
export function currentBranch(read: Read): string | undefined {
  return /^ref: refs\/heads\/(.+)$/m.exec(read('.git/HEAD') ?? '')?.[1]?.trim();
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

/** A buildspec.yml written by `chalice generate-pipeline -b` (no tests, `chalice package`, transformed.yaml). */
export function chaliceBuildspecs(read: Read): string[] {
  const text = read('buildspec.yml');
  const isChalice = text !== undefined && /chalice package /.test(text) && /--output-template-file transformed\.yaml/.test(text) && !/pytest/.test(text);
  return isChalice ? ['buildspec.yml'] : [];
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
  if (appName) [found.appName, found.repository] = [chaliceAppNameRule(appName) ? appName : awsAppName(appName), appName];
  // Chalice hard-codes the branch (master): keep releasing the branch the stack releases today.
  found.branch = chaliceSourceBranch(old.template);
  if (old.flavour !== 'codecommit') {
    found.source = 'github';
    const owner = defaultOf('GithubOwner');
    const repo = defaultOf('GithubRepoName');
    found.repository = owner && repo ? `${owner}/${repo}` : undefined;
  }
  return Object.fromEntries(Object.entries(found).filter(([, value]) => value !== undefined));
}

/** The branch of the old Source action (`BranchName` for CodeCommit, `Branch` for the GitHub OAuth action). */
export function chaliceSourceBranch(template: PipelineTemplate): string | undefined {
  const pipeline = template.Resources?.AppPipeline as { Properties?: { Stages?: unknown } } | undefined;
  const stages = Array.isArray(pipeline?.Properties?.Stages) ? (pipeline.Properties.Stages as { Actions?: unknown }[]) : [];
  for (const action of stages.flatMap((stage) => (Array.isArray(stage?.Actions) ? stage.Actions : []))) {
    const { ActionTypeId: type, Configuration: config } = (action ?? {}) as { ActionTypeId?: { Category?: unknown }; Configuration?: Record<string, unknown> };
    if (type?.Category !== 'Source') continue;
    const branch = config?.BranchName ?? config?.Branch;
    if (typeof branch === 'string') return branch;
  }
  return undefined;
}

/** Folders the pipeline generator adds only where the repository has none of its own. */
export const ADD_IF_ABSENT = ['tests/integration'];

/**
 * Of ADD_IF_ABSENT, the folders that are the user's: they hold files and we never wrote there (no fingerprint in
 * .yo-rc.json). A folder we created stays ours even after the user adds tests to it.
 */
export function foldersOfTheUser(list: (folder: string) => string[], generated: Record<string, string>): string[] {
  return ADD_IF_ABSENT.filter((folder) => list(folder).length > 0 && !Object.keys(generated).some((path) => path.startsWith(`${folder}/`)));
}

/** Resources that hold data: an update must keep their logical IDs (or CloudFormation replaces them). */
export const DATA_RESOURCES = ['SourceRepository', 'ApplicationBucket', 'ArtifactBucketStore'];

/** What replacing the old template with ours does to the stack, in a few lines. */
/** The logical IDs a stack update adds, changes and removes, going from one template to the other. */
export function resourceChanges(old: Partial<PipelineTemplate>, next: PipelineTemplate): { added: string[]; changed: string[]; removed: string[] } {
  const before = old.Resources ?? {};
  const after = next.Resources;
  const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);
  return {
    added: Object.keys(after).filter((id) => !(id in before)),
    changed: Object.keys(after).filter((id) => id in before && !same(before[id] as unknown as Json, after[id] as unknown as Json)),
    removed: Object.keys(before).filter((id) => !(id in after)),
  };
}

/**
 * What `make deploy` would do to the pipeline stack when pipeline.json changes (ours, not an upgrade): resources
 * added, changed and removed, and the parameter defaults that change. The template on disk is the deployed one's
 * best guess; unreadable, it is said so.
 */
/** A pipeline stage by its name and its actions' names. */
export interface StageShape { name: string; actions: string[] }

/** The stages of a template's AppPipeline (none without one). */
export function stageShapes(template: Partial<PipelineTemplate>): StageShape[] {
  const stages = (template.Resources?.AppPipeline?.Properties?.Stages ?? []) as { Name: string; Actions?: { Name: string }[] }[];
  return stages.map((stage) => ({ name: stage.Name, actions: (stage.Actions ?? []).map((action) => action.Name) }));
}

/**
 * The stages `after` no longer has: each with the stage its actions moved into and why, when that move is a known
 * one (MOVED_ACTIONS); else removed, with no reason (an upgrade must not do that silently: the plan says it).
 */
export function removedStages(before: StageShape[], after: StageShape[]): { stage: string; movedInto?: string; why?: string }[] {
  return before.filter((stage) => !after.some((now) => now.name === stage.name)).map((stage) => {
    // Only into a stage that was there before: a stage renamed is a removal, not a move.
    const into = after.find((now) => before.some((then) => then.name === now.name) && stage.actions.every((action) => now.actions.includes(action)));
    const why = stage.actions.map((action) => MOVED_ACTIONS[action]);
    return into && why.every(Boolean) ? { stage: stage.name, movedInto: into.name, why: [...new Set(why)].join('; ') } : { stage: stage.name };
  });
}

/** The plan's lines on the pipeline's stages: the ones added, and each removed one with where it went and why. */
function stageLines(old: Partial<PipelineTemplate>, next: PipelineTemplate): string[] {
  const before = stageShapes(old);
  const after = stageShapes(next);
  if (before.length === 0) return [];
  const added = after.filter((stage) => !before.some((then) => then.name === stage.name)).map((stage) => stage.name);
  return [
    ...(added.length > 0 ? [`  adds stages ${added.join(', ')}`] : []),
    ...removedStages(before, after).map((gone) => (gone.movedInto
      ? `  moves stage ${gone.stage} into ${gone.movedInto} (its actions keep their names): ${gone.why}`
      : `  removes stage ${gone.stage} (its actions leave the pipeline)`)),
  ];
}

export function stackPlan(current: string, next: PipelineTemplate, stackName: string): string[] {
  let old: Partial<PipelineTemplate>;
  try {
    old = JSON.parse(current) as Partial<PipelineTemplate>;
  } catch {
    return [`stack plan of ${stackName}: the pipeline.json on disk is not JSON; compare with \`aws cloudformation get-template\``];
  }
  const { added, changed, removed } = resourceChanges(old, next);
  const parameters = Object.keys(next.Parameters).filter((name) => parameterDefault(old as PipelineTemplate, name) !== parameterDefault(next, name) && name in (old.Parameters ?? {}))
    .map((name) => `${name} ${fromTo(parameterDefault(old as PipelineTemplate, name), parameterDefault(next, name))}`);
  return [
    `stack plan of ${stackName} (make deploy, from pipeline.json as it is on disk):`,
    `  adds     ${added.join(', ') || '(none)'}`,
    `  changes  ${changed.join(', ') || '(none)'}`,
    `  removes  ${removed.join(', ') || '(none)'}${removed.length > 0 ? ' (CloudFormation deletes them unless they have DeletionPolicy Retain)' : ''}`,
    ...(parameters.length > 0 ? [`  parameters ${parameters.join('; ')}`] : []),
    ...stageLines(old, next),
  ];
}

export function upgradeReport(old: PipelineTemplate, next: PipelineTemplate): string[] {
  const before = old.Resources ?? {};
  const after = next.Resources;
  const { added, changed, removed } = resourceChanges(old, next);
  const kept = DATA_RESOURCES.filter((id) => id in before && id in after);
  const lost = DATA_RESOURCES.filter((id) => id in before && !(id in after));
  // Claim "Retain" only where the new template really says so: the whole point of keeping the IDs.
  const unprotected = kept.filter((id) => after[id].DeletionPolicy !== 'Retain' || after[id].UpdateReplacePolicy !== 'Retain');
  const lines = [
    `upgrade of a \`chalice generate-pipeline\` template (stack updated in place, same logical IDs):`,
    `  keeps    ${kept.join(', ') || '(none)'}${kept.length > 0 && unprotected.length === 0 ? ' (data kept: Retain on delete and replace)' : ''}`,
    `  adds     ${added.join(', ') || '(none)'}`,
    `  changes  ${changed.join(', ') || '(none)'}`,
    `  removes  ${removed.join(', ') || '(none)'}`,
    ...settingLines(old, next),
  ];
  const oldParams = Object.keys(old.Parameters ?? {}).filter((name) => !(name in next.Parameters));
  if (oldParams.length > 0) lines.push(`  drops parameters ${oldParams.join(', ')}`);
  if (lost.length > 0) lines.push(`  note: ${lost.join(', ')} leave the template; CloudFormation deletes them unless they have DeletionPolicy Retain`);
  if (unprotected.length > 0) lines.push(`  note: ${unprotected.join(', ')} lack DeletionPolicy/UpdateReplacePolicy Retain in the new template`);
  return lines;
}

const parameterDefault = (template: PipelineTemplate, name: string) => {
  const value = template.Parameters?.[name]?.Default;
  return typeof value === 'string' ? value : undefined;
};
const fromTo = (a: string | undefined, b: string | undefined) => (a === b ? `${b} (unchanged)` : `${a ?? '(none)'} -> ${b ?? '(none)'}`);

/** The settings that decide which stacks and which branch the pipeline uses, and the source's move to a connection. */
function settingLines(old: PipelineTemplate, next: PipelineTemplate): string[] {
  const branch = fromTo(chaliceSourceBranch(old), parameterDefault(next, 'BranchName'));
  const lines = [
    `  settings ApplicationName ${fromTo(parameterDefault(old, 'ApplicationName'), parameterDefault(next, 'ApplicationName'))}, branch ${branch}${branch.endsWith('(unchanged)') ? ' (--branch NAME releases another)' : ''}`,
  ];
  const repositoryId = parameterDefault(next, 'RepositoryId');
  if ('GithubOwner' in (old.Parameters ?? {}) && repositoryId) {
    lines.push(`  source   GitHub OAuth action (deprecated) -> CodeConnections for ${repositoryId}${'SourceConnection' in next.Resources ? ' (approve the new connection once in the console after deploying)' : ''}`);
  }
  return lines;
}
