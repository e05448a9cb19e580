// git init on the released branch, a first commit when git knows who the user is, and the remote.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from './project.js';

const git = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function succeeds(cwd: string, args: string[]): boolean {
  try {
    git(cwd, args);
    return true;
  } catch {
    return false;
  }
}

export const COMMIT_MESSAGE = 'Chalice app with its release pipeline (generator-chalice-pipeline)';

/** Returns what it did, as lines for the user. Never invents an identity; a missing git is a note, not a failure. */
export function setUpGit(dir: string, project: Project): string[] {
  if (!succeeds(dir, ['--version'])) return ['git was not found: initialise the repository yourself (see README "Release")'];
  const notes: string[] = [];
  const isNew = !existsSync(join(dir, '.git'));
  if (isNew) {
    git(dir, ['init', '--quiet', `--initial-branch=${project.branch}`]);
    git(dir, ['add', '--all']);
    // useConfigOnly: an identity from config or GIT_* variables, never one guessed from the host name.
    if (succeeds(dir, ['-c', 'user.useConfigOnly=true', 'var', 'GIT_AUTHOR_IDENT']) && succeeds(dir, ['-c', 'user.useConfigOnly=true', 'var', 'GIT_COMMITTER_IDENT'])) {
      git(dir, ['-c', 'user.useConfigOnly=true', 'commit', '--quiet', '--no-verify', '-m', COMMIT_MESSAGE]);
      notes.push(`git: initialised on ${project.branch} with a first commit`);
    } else {
      notes.push(`git: initialised on ${project.branch} and staged; no git identity is configured, so the first commit is yours: git config user.name "..." && git config user.email "..." && git commit -m "${COMMIT_MESSAGE}"`);
    }
  }
  const remotes = git(dir, ['remote']).split('\n');
  if (!remotes.includes(project.remoteName)) {
    git(dir, ['remote', 'add', project.remoteName, project.remoteUrl]);
    notes.push(`git: remote ${project.remoteName} -> ${project.remoteUrl}`);
  }
  return notes;
}
