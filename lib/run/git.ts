// git init on the released branch, a first commit when git knows who the user is, and the remote.
// Few git processes on purpose: each costs ~5 ms, and a new app runs four (init, add, commit, remote add).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Project } from '../answers/project.js';

interface GitResult { ok: boolean; stdout: string; stderr: string; missing: boolean }

function git(cwd: string, args: string[]): GitResult {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const missing = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: result.stderr ?? '', missing };
}

function mustSucceed(result: GitResult, what: string): void {
  if (!result.ok) throw new Error(`git ${what} failed: ${result.stderr.trim()}`);
}

export const COMMIT_MESSAGE = 'Chalice app with its release pipeline (generator-chalice-pipeline)';

/** The work tree holding dir (the folder with .git, found without starting git), if any. */
export function enclosingRepository(dir: string): string | undefined {
  for (let folder = dir; ; folder = dirname(folder)) {
    if (existsSync(join(folder, '.git'))) return folder;
    if (dirname(folder) === folder) return undefined;
  }
}

/** Returns what it did, as lines for the user. Never invents an identity; a missing git is a note, not a failure. */
export function setUpGit(dir: string, project: Project): string[] {
  const notes: string[] = [];
  const outer = enclosingRepository(dirname(dir));
  // Inside another repository the app is part of it (a monorepo), unless that repository ignores the folder
  // (a checkout of this generator ignores /orders/): then it is a repository of its own.
  if (!existsSync(join(dir, '.git')) && outer !== undefined && !git(outer, ['check-ignore', '--quiet', dir]).ok) {
    return [`git: ${dir} is inside the git repository ${outer}; no nested repository made: commit the new folder there`];
  }
  const isNew = !existsSync(join(dir, '.git'));
  if (isNew) {
    const init = git(dir, ['init', '--quiet', `--initial-branch=${project.branch}`]);
    if (init.missing) return ['git was not found: initialise the repository yourself (see README "Release")'];
    mustSucceed(init, 'init');
    mustSucceed(git(dir, ['add', '--all']), 'add');
    // useConfigOnly: an identity from config or GIT_* variables, never one guessed from the host name.
    const commit = git(dir, ['-c', 'user.useConfigOnly=true', 'commit', '--quiet', '--no-verify', '-m', COMMIT_MESSAGE]);
    if (commit.ok) notes.push(`git: initialised on ${project.branch} with a first commit`);
    else if (/identity|tell me who you are|user\.(name|email)/i.test(commit.stderr)) {
      notes.push(`git: initialised on ${project.branch} and staged; no git identity is configured, so the first commit is yours: git config user.name "..." && git config user.email "..." && git commit -m "${COMMIT_MESSAGE}"`);
    } else mustSucceed(commit, 'commit');
  }
  let remotes: string[] = [];
  if (!isNew) {
    const listed = git(dir, ['remote']);
    if (listed.missing) return ['git was not found: add the remote yourself (make remote)'];
    remotes = listed.stdout.split('\n');
  }
  if (!remotes.includes(project.remoteName)) {
    mustSucceed(git(dir, ['remote', 'add', project.remoteName, project.remoteUrl]), 'remote add');
    notes.push(`git: remote ${project.remoteName} -> ${project.remoteUrl}`);
  }
  return notes;
}
