// After the files are on disk: git, the virtualenv, and the next steps, as lines to print.
import { nextSteps } from './next-steps.js';
import { targetNames, userTargets } from '../repository/makefile.js';
import { enclosingRepository, setUpGit } from './git.js';
import { setUpVenv } from './venv.js';
import type { Prepared } from './session.js';

export interface AfterWriteOptions {
  skipGit: boolean;
  skipInstall: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function afterWrite(prepared: Prepared, options: AfterWriteOptions): string[] {
  const { project, destination, plan } = prepared;
  const lines: string[] = [];
  const makefile = plan.files.find((file) => file.path === 'Makefile')!.contents;
  // Our targets are the ones inside the block; renamed ones carry the pipeline- prefix.
  const { targets } = targetNames(userTargets(makefile));
  if (!options.skipInstall) lines.push(...setUpVenv(destination, project, options.env, targets.venv));
  // git init and a first commit belong to a new repository only: an existing one is the user's to commit.
  if (!options.skipGit && prepared.kind === 'app') lines.push(...setUpGit(destination, project));
  const git = enclosingRepository(destination) === undefined ? 'none' : prepared.kind === 'app' && !options.skipGit ? 'committed' : 'uncommitted';
  lines.push('', ...nextSteps(project, destination, options.cwd, targets, git));
  return lines;
}
