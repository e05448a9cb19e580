// After the files are on disk: the virtualenv (Yeoman's install phase), then git and the next steps.
import { nextSteps } from './next-steps.js';
import { targetNames, userTargets } from '../repository/makefile.js';
import { currentBranch } from '../repository/existing.js';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { enclosingRepository, setUpGit } from './git.js';
import { setUpVenv, type VenvOutcome, type VenvSteps } from './venv.js';
import { filesToWrite, type Prepared } from './session.js';
import { YO_RC } from '../repository/plan.js';

export interface AfterWriteOptions {
  skipGit: boolean;
  skipInstall: boolean;
  /** The user's folder: next steps are relative to it. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Our Makefile targets (inside the block; renamed ones carry the pipeline- prefix). */
function ourTargets(prepared: Prepared) {
  const makefile = prepared.plan.files.find((file) => file.path === 'Makefile')!.contents;
  return targetNames(userTargets(makefile)).targets;
}

/** .venv with requirements-dev.txt, unless --skip-install; the closing lines, and the command to finish it if it failed. */
export async function install(prepared: Prepared, options: AfterWriteOptions, steps: VenvSteps): Promise<VenvOutcome> {
  if (options.skipInstall) return { lines: [] };
  return setUpVenv(prepared.destination, prepared.project, options.env, steps, ourTargets(prepared).venv);
}

/**
 * Why there is nothing to commit or deploy, when the run changed no file: it was up to date, or every change was
 * declined at the conflict question (Yeoman's route); undefined when something was written.
 */
export function nothingWritten(prepared: Prepared): string | undefined {
  if (prepared.fresh) return undefined;
  const changes = filesToWrite(prepared.plan, true).filter((file) => file.path !== YO_RC);
  const landed = changes.some((file) => {
    try {
      return readFileSync(join(prepared.destination, file.path), 'utf8') === file.contents;
    } catch {
      return false;
    }
  });
  if (landed) return undefined;
  return changes.length === 0 ? 'up to date: nothing to change' : 'nothing was written (the changes were declined): nothing to commit or deploy; run again to review them';
}

/** git (a new repository only), then the next steps, as lines to print; venv: the command that finishes .venv. */
export function finish(prepared: Prepared, options: AfterWriteOptions, venv?: string): string[] {
  const { project, destination } = prepared;
  const lines: string[] = [];
  // git init and a first commit belong to a new repository only: an existing one is the user's to commit.
  if (!options.skipGit && prepared.kind === 'app') lines.push(...setUpGit(destination, project));
  const gitRoot = enclosingRepository(destination);
  const git = gitRoot === undefined ? 'none' : prepared.kind === 'app' && !options.skipGit ? 'committed' : 'uncommitted';
  const read = (path: string) => {
    try {
      return readFileSync(join(destination, path), 'utf8');
    } catch {
      return undefined;
    }
  };
  const checkedOut = currentBranch(read);
  // The remotes the repository has (a command adding one again would fail).
  const gitConfig = gitRoot === undefined ? '' : read(relative(destination, join(gitRoot, '.git', 'config'))) ?? '';
  const remotes = [...gitConfig.matchAll(/^\s*\[remote "([^"]+)"\]/gm)].map((match) => match[1]!);
  lines.push('', ...nextSteps(project, destination, options.cwd, ourTargets(prepared), git, checkedOut, venv, remotes));
  return lines;
}
