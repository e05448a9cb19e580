// What a run writes: the files (rendered, merged, checked) and, for each, what happens to the file on disk.
import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { CONFIG_KEY, InputError, savedForm } from '../answers/answers.js';
import { checkRenderedFile } from './checks.js';
import { MAKE_MARKERS, mergeMakefile, renamedVariables, targetNames, userTargets } from './makefile.js';
import { pipelineTemplate } from '../cloudformation/pipeline/template.js';
import { templateText } from '../cloudformation/cfn.js';
import { shiftingStages, trafficShiftingMergeTemplate } from '../cloudformation/pipeline/traffic-shifting.js';
import { mergeTemplatePath } from '../answers/release.js';
import { crossAccount, otherRegions } from '../cloudformation/pipeline/placement.js';
import { pipelineRegionTemplate } from '../cloudformation/pipeline-region.js';
import { targetAccountTemplate } from '../cloudformation/target-account.js';
import type { Project } from '../answers/project.js';
import { replaceBlock, splitBlock, type Markers } from './marked-block.js';
import { ciFiles, ciSwitchNotes } from './ci/files.js';
import { README_MARKERS, renderTree } from './render.js';
import { PIPELINE_DOC, pipelineDocument } from './guide.js';
import {
  GITIGNORE_LINES, appendMissingLines, keepConventions, withLfBreaks, devRequirementLines, gitignoreCovers, jsonText, mergeChaliceConfigText,
  newChaliceConfig, parseChaliceConfig, sameRequirement,
} from './repo-files.js';
import { addedStageFiles, type AddedStageFiles } from './chalice-stages.js';
import { repeatedNames } from '../answers/stage-list.js';

/** Reads a file of the target repository (relative path), undefined when absent. */
export type ReadFile = (path: string) => string | undefined;

/**
 * seed: the user's from the first run on (app.py, requirements.txt...), written only when absent.
 * owned: regenerated on every run; a copy the user edited is a conflict.
 * merged: the user's file with our part merged in (config.json, Makefile block, .gitignore, requirements-dev.txt).
 */
export type FileMode = 'seed' | 'owned' | 'merged';
export type FileAction = 'create' | 'identical' | 'update' | 'conflict' | 'keep';

export interface PlannedFile {
  path: string;
  contents: string;
  mode: FileMode;
  action: FileAction;
}

export interface Plan {
  files: PlannedFile[];
  /** Fingerprints of what the previous run generated (from .yo-rc.json). */
  recorded: Record<string, string>;
  /** Things the user should know (renamed Makefile targets, ...). */
  notes: string[];
}

export const YO_RC = '.yo-rc.json';
const fingerprint = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

export interface PlanOptions {
  newApp: boolean;
  /** Files we may replace although we did not write them (a recognised `chalice generate-pipeline` template). */
  upgradable?: ReadonlySet<string>;
  /** A stage new Chalice stages start as a copy of (dev, when upgrading a `chalice generate-pipeline` stack). */
  seedStagesFrom?: string;
  /** The previous run's state, when the caller has read it already. */
  saved?: SavedState;
  /** Folders the repository already has of its own (tests/integration/): our files for them are not added. */
  userFolders?: readonly string[];
}

export function planFiles(project: Project, readAsIs: ReadFile, options: PlanOptions): Plan {
  // Merges read LF text; each merged file gets its own line breaks and final newline back (keepConventions).
  const read: ReadFile = (path) => {
    const text = readAsIs(path);
    return text === undefined ? undefined : withLfBreaks(text);
  };
  const notes: string[] = [];
  const existingMakefile = read('Makefile') ?? '';
  const { targets, renamed } = targetNames(userTargets(existingMakefile));
  if (renamed.length > 0) {
    notes.push(`Makefile: your targets ${renamed.join(', ')} stay; ours are named ${renamed.map((name) => targets[name]).join(', ')}`);
  }
  const wanted: Omit<PlannedFile, 'action'>[] = [];
  const add = (mode: FileMode, entries: Map<string, string> | [string, string][]) => {
    for (const [path, contents] of entries) wanted.push({ path, contents, mode });
  };
  const generatedRoutes = options.newApp || servesGeneratedRoutes(read('app.py'));
  const pipelineFiles = renderTree('pipeline', project, { targets, generatedRoutes });
  const makeBlock = pipelineFiles.get('Makefile')!;
  pipelineFiles.delete('Makefile');
  for (const folder of options.userFolders ?? []) {
    const skipped = [...pipelineFiles.keys()].filter((path) => path.startsWith(`${folder}/`));
    for (const path of skipped) pipelineFiles.delete(path);
    if (skipped.length > 0) notes.push(`${folder}/ is yours: kept as it is, ${skipped.join(', ')} not added (the pipeline runs it against beta; see buildspec-integration.yml)`);
  }
  const variables = renamedVariables(existingMakefile, makeBlock);
  if (variables.size > 0) {
    notes.push(`Makefile: your variables ${[...variables.keys()].join(', ')} stay; ours are named ${[...variables.values()].join(', ')}`);
  }
  const appFiles = renderTree('app', project, { targets, generatedRoutes });
  const renderedReadme = appFiles.get('README.md')!;
  const readme = readmePlan(renderedReadme, read('README.md'), options.newApp);
  appFiles.delete('README.md');
  if (options.newApp) add('seed', appFiles);
  if (readme) add(readme.mode, [['README.md', readme.contents]]);
  // An existing app whose README has no block of ours gets the same text as PIPELINE.md (its block merged in place).
  else add('merged', [[PIPELINE_DOC, pipelineDocText(renderedReadme, read(PIPELINE_DOC), project.appName)]]);
  add('owned', pipelineFiles);
  // An external CI runs the release instead of CodePipeline: its own files, no pipeline.json.
  add('owned', project.externalCi ? ciFiles(project) : codePipelineFiles(project));
  // One merge template per stage that shifts traffic (release/<stage>-traffic-shifting.json).
  add('owned', shiftingStages(project).map((stage): [string, string] => [mergeTemplatePath(stage.name), templateText(trafficShiftingMergeTemplate(project, stage.deployment))]));
  const chaliceConfig = chaliceConfigPlan(project, read, options.seedStagesFrom);
  add('seed', chaliceConfig.files);
  notes.push(...chaliceConfig.notes);
  add('merged', [
    ['.chalice/config.json', chaliceConfig.text],
    ['Makefile', mergeMakefile(existingMakefile, makeBlock)],
    ['.gitignore', appendMissingLines(read('.gitignore') ?? '', GITIGNORE_LINES, gitignoreCovers)],
    ['requirements-dev.txt', appendMissingLines(read('requirements-dev.txt') ?? '', devRequirementLines(project), sameRequirement)],
  ]);
  if (!options.newApp && read('requirements.txt') === undefined) add('seed', [['requirements.txt', '']]);

  const saved = options.saved ?? readSavedState(read);
  // Files an earlier run generated that these answers no longer use stay (they may hold your changes): say so.
  const unused = Object.keys(saved.hashes).filter((path) => !wanted.some((file) => file.path === path) && read(path) !== undefined);
  if (unused.length > 0) notes.push(`no longer used by the pipeline, kept: ${unused.join(', ')} (delete them if you do not need them)`, ...ciSwitchNotes(project, unused, saved.answers));
  const files = wanted.map((wantedFile) => {
    const file = wantedFile.mode === 'merged' ? { ...wantedFile, contents: keepConventions(readAsIs(wantedFile.path), wantedFile.contents) } : wantedFile;
    return { ...file, action: decide(file, readAsIs(file.path), saved.hashes, options.upgradable) };
  });
  notes.push(...targetAccountNotes(project, files), ...renamedReviewRoleNotes(project, readAsIs('pipeline.json'), files));
  for (const file of files) checkRenderedFile(file.path, withLfBreaks(file.contents));
  // A kept unused file stays ours: switching back (another ci, integration tests on again) updates it without a conflict.
  const keptHashes = Object.fromEntries(unused.map((path) => [path, saved.hashes[path]]));
  files.push(yoRcFile(project, files, readAsIs, saved.other, keptHashes));
  return { files, notes, recorded: saved.hashes };
}

/** pipeline.json and the templates of the stages elsewhere. */
function codePipelineFiles(project: Project): [string, string][] {
  const pipeline = pipelineTemplate(project);
  // make deploy sends a compact copy inline: a long stage list must still fit (nothing is written otherwise).
  const compact = Buffer.byteLength(JSON.stringify(pipeline));
  if (compact > INLINE_TEMPLATE_LIMIT) {
    throw new InputError([`stages is invalid: pipeline.json for ${project.placements.length} targets in ${project.release.stages.length} stages is ${compact} bytes as make deploy sends it, over the ${INLINE_TEMPLATE_LIMIT} bytes aws cloudformation deploy takes inline; list fewer stages or targets`]);
  }
  const stages = pipeline.Resources.AppPipeline!.Properties!.Stages as { Name: string; Actions: { Namespace?: string }[] }[];
  const repeated = [
    repeatedNames('pipeline\'s stages', stages.map((stage) => stage.Name)),
    repeatedNames('pipeline\'s variable namespaces', stages.flatMap((stage) => stage.Actions.flatMap((action) => action.Namespace ?? []))),
  ].filter((problem) => problem !== undefined);
  if (repeated.length > 0) throw new InputError(repeated);
  return [['pipeline.json', templateText(pipeline)], ...placementFiles(project)];
}

function placementFiles(project: Project): [string, string][] {
  const files: [string, string][] = [];
  if (crossAccount(project)) files.push([TARGET_ACCOUNT_FILE, templateText(targetAccountTemplate(project))]);
  if (otherRegions(project).length > 0) files.push([PIPELINE_REGION_FILE, templateText(pipelineRegionTemplate(project))]);
  return files;
}

export const TARGET_ACCOUNT_FILE = 'target-account.json';
/** The largest template `aws cloudformation deploy --template-file` sends inline (a larger one needs an S3 bucket). */
const INLINE_TEMPLATE_LIMIT = 51_200;
export const PIPELINE_REGION_FILE = 'pipeline-region.json';

/** What must be deployed in the target accounts before the (new or changed) pipeline, said in the plan. */
function targetAccountNotes(project: Project, files: PlannedFile[]): string[] {
  const target = files.find((file) => file.path === TARGET_ACCOUNT_FILE);
  if (!target || target.action === 'identical') return [];
  const accounts = project.placements.filter((placement) => placement.accountId).map((placement) =>
    `make target-account STAGE=${placement.chaliceStage} with the credentials of account ${placement.accountId} (region ${placement.region ?? project.region})`);
  return [`deploy ${TARGET_ACCOUNT_FILE} in the target accounts before make deploy (the pipeline must be able to assume their roles): ${accounts.join('; ')}`];
}

/**
 * The change review's role takes a name once a target account's review role trusts it (review.ts): CloudFormation
 * replaces it, and a pushed pipeline.json cannot (the self-update creates only bounded roles of generated names).
 */
function renamedReviewRoleNotes(project: Project, current: string | undefined, files: PlannedFile[]): string[] {
  const planned = files.find((file) => file.path === 'pipeline.json');
  if (!project.selfUpdate || current === undefined || !planned || planned.action === 'identical') return [];
  const named = (text: string) => {
    try {
      return (JSON.parse(text) as { Resources?: { ChangeReviewRole?: { Properties?: { RoleName?: unknown } } } }).Resources?.ChangeReviewRole?.Properties?.RoleName !== undefined;
    } catch {
      return false;
    }
  };
  return !named(current) && named(planned.contents)
    ? ['make deploy with the pipeline account\'s credentials, not a push: the change review\'s role takes a name the target accounts trust, which the self-update may not create']
    : [];
}

/** config.json with the pipeline's stages, and what the added stages need besides (policy files, notes). */
function chaliceConfigPlan(project: Project, read: ReadFile, seedFrom?: string): { text: string } & AddedStageFiles {
  const text = read('.chalice/config.json');
  if (text === undefined) return { text: jsonText(newChaliceConfig(project)), files: [], notes: [] };
  const merged = mergeChaliceConfigText(text, project, seedFrom);
  return { text: merged, ...addedStageFiles(parseChaliceConfig(text), parseChaliceConfig(merged), read) };
}

/**
 * The README: a new app's, whole; on later runs only its marked pipeline section is replaced (the rest is the
 * user's). A README without the markers (the user's own, or one whose markers were removed) is left alone.
 */
function readmePlan(rendered: string, current: string | undefined, newApp: boolean): { mode: FileMode; contents: string } | undefined {
  const merged = current === undefined ? undefined : replaceBlock(current, rendered, README_MARKERS);
  if (merged !== undefined) return { mode: 'merged', contents: merged };
  return newApp ? { mode: 'seed', contents: rendered } : undefined;
}

/** PIPELINE.md: ours with the README's block; the team's own one keeps its lines, the block replaced or appended. */
function pipelineDocText(renderedReadme: string, current: string | undefined, appName: string): string {
  const block = splitBlock(renderedReadme, README_MARKERS).block ?? '';
  if (current === undefined) return pipelineDocument(appName, block);
  return replaceBlock(current, renderedReadme, README_MARKERS) ?? `${current}${current.endsWith('\n') || current === '' ? '' : '\n'}\n${block}`;
}

/** An app.py that still has the routes our app template writes (the integration tests then check them exactly). */
function servesGeneratedRoutes(appPy: string | undefined): boolean {
  return appPy !== undefined && appPy.includes("return {'hello': 'world'}") && appPy.includes("@app.route('/health')");
}

/** Generated blocks inside merged files: changes the user made between the markers are a conflict too. */
const BLOCK_MARKERS: Record<string, Markers> = { Makefile: MAKE_MARKERS, 'README.md': README_MARKERS, [PIPELINE_DOC]: README_MARKERS };
export const blockKey = (path: string) => `${path}#block`;

function blockFingerprint(path: string, text: string): string | undefined {
  const markers = BLOCK_MARKERS[path];
  // Fingerprinted with LF breaks: a checkout that turns the file into CRLF is no edit of the block.
  const block = markers ? splitBlock(withLfBreaks(text), markers).block : undefined;
  return block === undefined ? undefined : fingerprint(block);
}

function decide(file: Omit<PlannedFile, 'action'>, current: string | undefined, hashes: Record<string, string>, upgradable?: ReadonlySet<string>): FileAction {
  if (current === undefined) return 'create';
  if (current === file.contents) return 'identical';
  if (file.mode === 'seed') return 'keep';
  if (file.mode === 'merged') {
    const recorded = hashes[blockKey(file.path)];
    const edited = recorded !== undefined && blockFingerprint(file.path, current) !== recorded;
    return edited ? 'conflict' : 'update';
  }
  if (hashes[file.path] === fingerprint(current) || upgradable?.has(file.path)) return 'update';
  return 'conflict';
}

export interface SavedState {
  answers: Record<string, unknown>;
  hashes: Record<string, string>;
  other: Record<string, unknown>;
}

/** Our section of .yo-rc.json (answers and fingerprints of owned files) and the other generators' sections. */
export function readSavedState(read: ReadFile): SavedState {
  const text = read(YO_RC);
  if (text === undefined) return { answers: {}, hashes: {}, other: {} };
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new InputError([`${YO_RC} is not valid JSON (${(error as Error).message.split('\n')[0]}); fix it or remove it (it only holds earlier answers)`]);
  }
  const { [CONFIG_KEY]: ours = {}, ...other } = data;
  const { generatedFiles = {}, ...answers } = ours as Record<string, unknown>;
  return { answers, hashes: generatedFiles as Record<string, string>, other };
}

/**
 * Whether the app command created the repository (and may regenerate it): only it writes a README with our
 * markers (the pipeline command merges into a README only when they are already there), so the README block is
 * its witness, recorded in .yo-rc.json or on disk (a README the team removed, one from before blocks were recorded).
 * No new key in .yo-rc.json: earlier repositories are told apart as well.
 */
export function createdByAppCommand(saved: SavedState, read: ReadFile): boolean {
  return blockKey('README.md') in saved.hashes || (read('README.md')?.includes(README_MARKERS.start) ?? false);
}

/** .yo-rc.json: the answers and fingerprints of this run; other generators' sections kept. */
function yoRcFile(project: Project, files: PlannedFile[], read: ReadFile, other: Record<string, unknown>, kept: Record<string, string> = {}): PlannedFile {
  const generatedFiles: Record<string, string> = { ...kept };
  for (const file of files) {
    if (file.mode === 'owned') generatedFiles[file.path] = fingerprint(file.contents);
    // The block as it will be on disk (a kept file keeps its own text).
    const block = blockFingerprint(file.path, file.action === 'keep' ? read(file.path) ?? '' : file.contents);
    if (block) generatedFiles[blockKey(file.path)] = block;
  }
  const contents = jsonText({ ...other, [CONFIG_KEY]: { ...savedForm(project), generatedFiles } });
  const current = read(YO_RC);
  const action: FileAction = current === undefined ? 'create' : current === contents ? 'identical' : 'update';
  return { path: YO_RC, contents, mode: 'merged', action };
}

/** A file's plan in the words the run prints, the same on every route: `merge` into the team's file, `update` of ours. */
export function describeAction(file: PlannedFile): string {
  const word = file.action === 'update' && file.mode === 'merged' && !file.path.endsWith(YO_RC) ? 'merge' : file.action;
  return `${word.padEnd(9)} ${file.path}`;
}

/** A file's change as a unified diff (a/ and b/ paths, as git shows it), without the `Index:` header. */
export function unifiedDiff(path: string, current: string | undefined, next: string): string[] {
  const patch = createTwoFilesPatch(current === undefined ? '/dev/null' : `a/${path}`, `b/${path}`, current ?? '', next, undefined, undefined, { context: 3 });
  return patch.split('\n').filter((line, index, lines) => !line.startsWith('====') && !(index === lines.length - 1 && line === ''));
}
