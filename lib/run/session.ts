// The flow both generators and the fast CLI path share:
// answers -> validated project -> rendered, merged and checked files -> (writer) -> next steps.
import { basename, dirname, join, relative, resolve } from 'node:path';
import {
  InputError, checkAnswersObject, finishAnswers, mergeAnswers, type AnswerLayers, type Resolution,
} from '../answers/answers.js';
import { readAnswersFile } from '../answers/answers-file.js';
import { answersFromRepository, chaliceBuildspecs, currentBranch, findChaliceRoot, findRepositoryRoot, foldersOfTheUser, recogniseChaliceTemplate, stackPlan, upgradeReport } from '../repository/existing.js';
import { pipelineTemplate } from '../cloudformation/pipeline/template.js';
import { chaliceAppIn, deployRoleReport, s3EventProblem } from '../repository/chalice-app.js';
import { blockKey, createdByAppCommand, describeAction, unifiedDiff, planFiles, readSavedState, type Plan, type SavedState } from '../repository/plan.js';
import { releaseFromAnswers } from '../answers/release.js';
import { describeProject, type Project } from '../answers/project.js';
import { appNameRule } from '../answers/rules.js';
import { parseChaliceConfig } from '../repository/repo-files.js';
import type { PartialAnswers } from '../answers/settings.js';
import type { AskContext } from '../answers/prompts.js';
import { BIN_COMMANDS, type Commands } from './commands.js';

export type GeneratorKind = 'app' | 'pipeline';

export interface SessionOptions {
  kind: GeneratorKind;
  /** Folder the command runs in. */
  cwd: string;
  flags: PartialAnswers;
  answersFile?: string;
  /** Ask nothing: defaults fill every gap (see canAsk). */
  nonInteractive: boolean;
  /** Ask the answers saved in .yo-rc.json again (--ask-answered). */
  askAnswered?: boolean;
  force: boolean;
  env: NodeJS.ProcessEnv;
  /** Defaults to the bin's commands. */
  commands?: Commands;
}

/** How the session sees the disk (Yeoman reads through its in-memory editor, the fast path through node:fs). */
export interface Disk {
  /** A file (not a folder) exists there. */
  exists(absolutePath: string): boolean;
  read(absolutePath: string): string | undefined;
  /** Entries of a folder, [] when absent. */
  list(absolutePath: string): string[];
  /**
   * Undoes (or finishes) what a killed earlier run left half-written in folder (lib/run/write/transaction.ts);
   * called before anything there is read. Returns a line for the user when something was undone. `takeOver`
   * (--force): also undo a journal whose run cannot be checked from here (another machine).
   */
  recover(folder: string, takeOver: boolean): string | undefined;
  /** Throws when another run wrote under root since this disk read it (a disk that remembers its reads). */
  settled?(root: string, takeOver: boolean): void;
}

/** Asks the questions the layers left open; returns the answers given. */
export type Ask = (resolution: Resolution, context: AskContext) => Promise<PartialAnswers>;

/** The answers and where they go: decided while asking, before anything is read for writing. */
export interface Gathered {
  kind: GeneratorKind;
  destination: string;
  project: Project;
  warnings: string[];
}

export interface Prepared extends Gathered {
  plan: Plan;
  /** Printed before writing when an old `chalice generate-pipeline` template is replaced. */
  upgrade?: string[];
  /** The destination held none of our files before (a new repository). */
  fresh: boolean;
}

/** Answers, then the plan, in one go (the bin; Yeoman plans at writing time, see planAt). */
export async function prepare(options: SessionOptions, disk: Disk, ask?: Ask): Promise<Prepared> {
  return planAt(await gather(options, disk, ask), options, disk);
}

/** The answers from every layer (asking when allowed), validated, and the repository they go to. */
export async function gather(options: SessionOptions, disk: Disk, ask?: Ask): Promise<Gathered> {
  const recovered = recoverAround(options.cwd, disk, options.force);
  const commands = options.commands ?? BIN_COMMANDS;
  // The pipeline generator works on the repository around cwd; the app generator regenerates the one it was
  // run in (or below), so a subfolder never receives a nested project.
  const root = options.kind === 'pipeline'
    ? findRepositoryRoot(options.cwd, disk.exists, disk.read, commands.app)
    : appRoot(findChaliceRoot(options.cwd, disk.exists, disk.read), disk, commands);
  const { answers, warnings, named } = await gatherAnswers(options, disk, root, ask, recovered);
  const destination = root ?? appDestination(options.cwd, answers.appName, named, disk);
  recovered.push(disk.recover(destination, options.force));
  // (A dry run reports a leftover at each look; a real run undoes it at the first.)
  warnings.unshift(...new Set(recovered.filter((line) => line !== undefined)));
  // The deploy role is tailored to what the app uses (its config and decorators): read before anything is written.
  const chaliceApp = chaliceAppIn(destination, disk, releaseFromAnswers(answers).stages.map((stage) => stage.name));
  const s3Events = s3EventProblem(chaliceApp);
  if (s3Events && !options.force) throw new InputError([`${s3Events}. Pass --force to generate the pipeline anyway`], 2);
  if (s3Events) warnings.push(s3Events);
  const project = describeProject(answers, chaliceApp);
  if (options.kind === 'app' && root !== undefined && root !== resolve(options.cwd)) {
    warnings.push(`regenerating the project at ${root} (its .yo-rc.json), which holds this folder`);
  }
  return { kind: options.kind, destination, project, warnings };
}

/** The plan against the disk as it is now (Yeoman: its editor, with the same-run edits of other generators). */
export function planAt(gathered: Gathered, options: SessionOptions, disk: Disk): Prepared {
  const { kind, project, destination } = gathered;
  const fresh = kind === 'app' && !disk.exists(join(destination, '.yo-rc.json'));
  if (fresh) refuseNonEmpty(destination, disk, options.force, options.cwd);
  const { plan, upgrade, saved } = planRepository(kind, project, destination, disk);
  const warnings = [...gathered.warnings];
  if (kind === 'pipeline') warnings.push(...existingRepositoryWarnings(project, destination, disk, saved.answers.appName));
  // What looks like the team's edits may be another run's files, read while it was switching them into place.
  if (plan.files.some((file) => file.action === 'conflict')) disk.settled?.(destination, options.force);
  refuseConflicts(plan, options.force, destination, options.cwd, options.nonInteractive);
  return { ...gathered, plan, warnings, upgrade, fresh };
}

/**
 * The repository the app command regenerates: one it created, else none (a new app). A Chalice repository it did
 * not create (the team's own, or one the pipeline command added a pipeline to) is refused, nothing written:
 * regenerating it would replace the team's integration tests, README and Makefile meaning with a new app's.
 */
function appRoot(chaliceRoot: string | undefined, disk: Disk, commands: Commands): string | undefined {
  if (chaliceRoot === undefined) return undefined;
  const read = readIn(chaliceRoot, disk);
  // Our .yo-rc.json without a Chalice app (files removed): ours to regenerate.
  if (!disk.exists(join(chaliceRoot, '.chalice', 'config.json')) || createdByAppCommand(readSavedState(read), read)) return chaliceRoot;
  throw new InputError([
    `${chaliceRoot} is a Chalice app that \`${commands.app}\` did not create: run \`${commands.pipeline}\` to add or upgrade its pipeline (the app command would replace its files with a new app's), or run from another folder to create a new app; nothing was written`,
  ], 3);
}

const readIn = (folder: string, disk: Disk) => (path: string) => disk.read(join(folder, path));

/** A killed run's leftovers in cwd or a folder above it (the repository around it), undone before anything is read. */
function recoverAround(cwd: string, disk: Disk, takeOver: boolean): (string | undefined)[] {
  const lines: (string | undefined)[] = [];
  for (let folder = resolve(cwd); ; folder = dirname(folder)) {
    lines.push(disk.recover(folder, takeOver));
    if (dirname(folder) === folder) return lines;
  }
}

/** The answers from every layer (asking in a terminal), validated. */
async function gatherAnswers(options: SessionOptions, disk: Disk, root: string | undefined, ask: Ask | undefined, recovered: (string | undefined)[]) {
  const file = options.answersFile ? await readAnswersFile(resolve(options.cwd, options.answersFile)) : undefined;
  // A new app's saved answers are those of ./<appName> when it was generated there (root: the enclosing one).
  // Without a root, cwd's .yo-rc.json is another generator's (or broken: that is reported).
  let saved = savedAnswers(readIn(root ?? options.cwd, disk));
  const given = options.flags.appName ?? file?.appName;
  let named: string | undefined;
  if (!root && typeof given === 'string' && !appNameRule(given)) {
    recovered.push(disk.recover(resolve(options.cwd, given), options.force));
    saved = savedAnswers(readIn(resolve(options.cwd, given), disk));
    if (Object.keys(saved).length > 0) named = appRoot(resolve(options.cwd, given), disk, options.commands ?? BIN_COMMANDS);
  }
  const found = options.kind === 'pipeline' && root ? answersFromRepository(readIn(root, disk)) : {};
  const layers: AnswerLayers = { flags: options.flags, file, saved, found };
  let resolution = mergeAnswers(layers, options.env);
  if (!options.nonInteractive && ask) {
    const asked = await ask(resolution, { env: options.env, cwd: options.cwd, askAnswered: options.askAnswered });
    resolution = mergeAnswers({ ...layers, flags: { ...asked, ...options.flags } }, options.env);
  }
  return { ...finishAnswers(resolution), named };
}

/** The files for the repository at destination, and the plan of an upgrade from `chalice generate-pipeline`. */
function planRepository(kind: GeneratorKind, project: Project, destination: string, disk: Disk): { plan: Plan; upgrade?: string[]; saved: SavedState } {
  const read = readIn(destination, disk);
  const saved = readSavedState(read);
  const old = kind === 'pipeline' ? recogniseChaliceTemplate(read) : undefined;
  const userFolders = kind === 'pipeline' ? foldersOfTheUser((folder) => disk.list(join(destination, folder)), saved.hashes) : [];
  const plan = planFiles(project, read, {
    newApp: kind === 'app',
    saved,
    upgradable: new Set(old ? ['pipeline.json', ...chaliceBuildspecs(read)] : []),
    userFolders,
    // The old pipeline packaged without --stage, so its beta stack ran with dev's settings: keep them.
    seedStagesFrom: old ? 'dev' : undefined,
  });
  const upgrade = old ? [...upgradeReport(old.template, pipelineTemplate(project)), ...seededStages(read, project)] : undefined;
  return { plan, upgrade, saved };
}

function savedAnswers(read: (path: string) => string | undefined): PartialAnswers {
  const { answers } = readSavedState(read);
  return Object.keys(answers).length > 0 ? checkAnswersObject(answers, '.yo-rc.json') : {};
}

/** A new app goes into ./<appName>, or into the empty folder named after it that we run in. */
function appDestination(cwd: string, appName: string, named: string | undefined, disk: Disk): string {
  if (named) return named;
  // `mkdir orders && cd orders && chalice-pipeline`: an empty folder named after the app is the repository itself.
  const emptyNamesake = basename(resolve(cwd)) === appName && disk.list(cwd).every((name) => name === '.git');
  return emptyNamesake ? resolve(cwd) : resolve(cwd, appName);
}

function refuseNonEmpty(destination: string, disk: Disk, force: boolean, cwd: string): void {
  if (disk.exists(destination)) {
    throw new InputError([`${relative(cwd, destination)} exists and is a file, not a folder: choose another appName or move the file`], 3);
  }
  const entries = disk.list(destination).filter((name) => name !== '.git');
  if (entries.length > 0 && !force) {
    throw new InputError([
      `${relative(cwd, destination) || '.'}/ exists and is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}): choose another appName, empty it, or pass --force (files we do not generate are never touched)`,
    ], 3);
  }
}

/** The stages an upgrade adds to config.json as copies of dev, said in the upgrade plan. */
function seededStages(read: (path: string) => string | undefined, project: Project): string[] {
  const text = read('.chalice/config.json');
  const stages = text === undefined ? {} : parseChaliceConfig(text).stages ?? {};
  const added = project.chaliceStages.filter((stage) => !(stage in stages));
  if (added.length === 0 || !('dev' in stages)) return [];
  return [`  stages   ${added.join(', ')} added to .chalice/config.json as copies of dev (the old pipeline deployed dev's settings)`];
}

/** What in an existing repository would make the generated pipeline fail, said before anything is written. */
function existingRepositoryWarnings(project: Project, root: string, disk: Disk, previousAppName: unknown): string[] {
  const read = readIn(root, disk);
  const warnings: string[] = [];
  const hasUnitTests = hasTestFiles(join(root, 'tests'), disk, 3);
  if (project.unitTests && !hasUnitTests) {
    warnings.push('unitTests is on but tests/ has no unit tests yet: the Build stage fails until you add some (or answer --no-unit-tests)');
  }
  // The integration tests and the approval link read the REST API's EndpointURL stack output.
  const app = read('app.py');
  if (app !== undefined && !/\.route\(/.test(app) && (project.integrationTests || project.manualApproval)) {
    warnings.push('app.py defines no @app.route: without a REST API the beta stack has no EndpointURL for the integration tests and the approval link (answer --no-integration-tests, or add a route)');
  }
  // Traffic shifting moves the REST handler's alias: an app without routes has nothing to shift.
  if (app !== undefined && !/\.route\(/.test(app) && project.shiftsTraffic) {
    warnings.push(`app.py defines no @app.route: prodDeployment ${project.prodDeployment} shifts the REST handler's traffic, so the Build stage fails at release/point_api_at_alias.py (answer --prod-deployment AllAtOnce, or add a route)`);
  }
  if (typeof previousAppName === 'string' && previousAppName !== project.appName) {
    warnings.push(`appName changes from ${previousAppName} to ${project.appName}: the pipeline and the app stacks get new names (${project.betaStack}, new endpoints); the old stacks are not removed`);
  }
  const checkedOut = currentBranch(read);
  if (checkedOut && checkedOut !== project.branch) {
    warnings.push(`the pipeline releases ${project.branch} but this repository is on ${checkedOut}: push with git push ${project.remoteName} ${checkedOut}:${project.branch}, or answer --branch ${checkedOut}`);
  }
  if (read('requirements.txt') === undefined && /^\s*dependencies\s*=\s*\[\s*["']/m.test(read('pyproject.toml') ?? '')) {
    warnings.push('pyproject.toml lists dependencies, but Chalice packages requirements.txt only: an empty one is created; list the runtime dependencies there (pip-compile or uv export can write it)');
  }
  const pinned = read('.python-version')?.trim();
  if (pinned && !pinned.startsWith(`${project.pythonVersion}`)) {
    warnings.push(`.python-version says ${pinned.split('\n')[0]}, the pipeline builds and deploys Python ${project.pythonVersion} (Chalice and Lambda support 3.10-3.14; answer --python-version to choose)`);
  }
  const pin = chaliceTooOld(read('requirements-dev.txt') ?? '') ?? chaliceTooOld(read('requirements.txt') ?? '');
  if (pin) warnings.push(`${pin} is older than Chalice 1.33, the first with Python 3.10-3.14 support: the build may fail or deploy an old runtime (use chalice>=1.33.0,<2.0.0)`);
  return warnings;
}

/** Test files (test_*.py, *_test.py) below folder, integration tests excluded, a few levels deep. */
function hasTestFiles(folder: string, disk: Disk, depth: number): boolean {
  return disk.list(folder).some((name) => /^test_.*\.py$|_test\.py$/.test(name)
    || (depth > 0 && name !== 'integration' && !name.includes('.') && hasTestFiles(join(folder, name), disk, depth - 1)));
}

/** A `chalice==1.x` pin below 1.33 in a requirements text, as written there. */
function chaliceTooOld(requirements: string): string | undefined {
  const match = /^\s*chalice\s*==\s*1\.(\d+)[^\s#;]*/im.exec(requirements);
  return match && Number(match[1]) < 33 ? match[0].trim() : undefined;
}

function refuseConflicts(plan: Plan, force: boolean, destination: string, cwd: string, nonInteractive: boolean): void {
  const generated = plan.recorded;
  const conflicts = plan.files.filter((file) => file.action === 'conflict');
  if (conflicts.length === 0 || force || !nonInteractive) return;
  const forced = `or pass --force to overwrite it (your version is kept in ${BACKUP_FOLDER}/)`;
  throw new InputError(
    conflicts.map((file) => {
      const shown = relative(cwd, join(destination, file.path));
      if (blockKey(file.path) in generated) {
        return `${shown}: changed between the chalice-pipeline markers (the generated block); not overwritten: move your lines out of the block (${file.path === 'Makefile' ? 'below the end marker' : 'outside the markers'}, which re-runs never touch) and run again, ${forced}`;
      }
      if (!(file.path in generated)) return `${shown}: already exists and was not written by chalice-pipeline; not overwritten: rename yours, ${forced}`;
      const hooks = HOOKS_OF[file.path];
      const home = hooks ? `put your steps in ${hooks} (the buildspec runs it when present, re-runs never touch it), restore the file (git checkout -- ${file.path}) and run again` : `restore it (git checkout -- ${file.path}) and run again`;
      return `${shown}: changed since it was generated; not overwritten: ${home}, ${forced}`;
    }),
    3,
  );
}

/** Where a team's own steps go instead of an edited buildspec (run by it when present). */
const HOOKS_OF: Record<string, string> = {
  'buildspec.yml': 'scripts/pre-build.sh or scripts/post-build.sh',
  'buildspec-integration.yml': 'scripts/pre-integration-tests.sh',
};

/** Where --force keeps the versions it overwrites, one folder per run. */
export const BACKUP_FOLDER = '.chalice-pipeline-backup';

/**
 * Copies of the files --force overwrites (the team's edits), as changes written in the same transaction, and the
 * line saying where they are; none without --force or conflicts.
 */
export function forcedBackups(prepared: Prepared, force: boolean, read: (absolutePath: string) => string | undefined, now = new Date()): { changes: { path: string; contents: string }[]; line?: string } {
  if (!force) return { changes: [] };
  const folder = `${BACKUP_FOLDER}/${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`;
  const changes = prepared.plan.files.filter((file) => file.action === 'conflict').flatMap((file) => {
    const current = read(join(prepared.destination, file.path));
    return current === undefined ? [] : [{ path: `${folder}/${file.path}`, contents: current }];
  });
  if (changes.length === 0) return { changes };
  return { changes, line: `--force: your versions of ${changes.map((change) => change.path.slice(folder.length + 1)).join(', ')} are kept in ${folder}/` };
}

/**
 * Lines describing the plan before anything is written (Yeoman's conflicter lists the files itself): warnings, the
 * upgrade or stack plan (whenever pipeline.json changes), each file's action and, with `diff`, its unified diff.
 */
export function planReport(prepared: Prepared, cwd: string, read: (absolutePath: string) => string | undefined, { listFiles = true, diff = false } = {}): string[] {
  const lines = [...prepared.warnings.map((w) => `warning: ${w}`), ...(prepared.upgrade ?? []), ...deployRoleReport(prepared.project)];
  const pipeline = prepared.plan.files.find((file) => file.path === 'pipeline.json');
  const current = read(join(prepared.destination, 'pipeline.json'));
  if (!prepared.upgrade && current !== undefined && (pipeline?.action === 'update' || pipeline?.action === 'conflict')) {
    lines.push(...stackPlan(current, pipelineTemplate(prepared.project), prepared.project.pipelineStackName));
  }
  for (const file of listFiles || diff ? prepared.plan.files : []) {
    const shown = relative(cwd, join(prepared.destination, file.path));
    if (listFiles) lines.push(describeAction({ ...file, path: shown }));
    if (diff && file.action !== 'identical' && file.action !== 'keep') lines.push(...unifiedDiff(shown, read(join(prepared.destination, file.path)), file.contents));
  }
  return [...lines, ...prepared.plan.notes.map((note) => `note: ${note}`)];
}

/** The plan's files that change the disk. */
export function filesToWrite(plan: Plan, force: boolean) {
  return plan.files.filter((file) => file.action === 'create' || file.action === 'update' || (file.action === 'conflict' && force));
}
