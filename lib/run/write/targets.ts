// Where each planned path really lands, checked before anything is written: a symlink inside the repository is
// followed (the link stays a link), one pointing outside it, a dangling one, a folder or file in the way and a
// read-only file or folder are refused with a line naming the path.
import type * as nodeFs from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { USER_DECIDES, WriteFailure, describeCause, exitCodeFor } from './failure.js';

/** The node:fs calls the writer makes (tests pass a layer that fails at a chosen call). */
export type FileSystem = Pick<typeof nodeFs,
  | 'openSync' | 'writeSync' | 'fsync' | 'closeSync' | 'fchmodSync' | 'fchownSync' | 'renameSync' | 'linkSync'
  | 'copyFileSync' | 'unlinkSync' | 'mkdirSync' | 'rmdirSync' | 'lstatSync' | 'readlinkSync' | 'realpathSync'
  | 'readFileSync' | 'accessSync' | 'readdirSync'>;

export interface Target {
  /** The planned path, relative to the root. */
  path: string;
  /** Absolute path of the file that is written (symlinks resolved). */
  real: string;
  /** The file there now, when there is one. */
  existing?: Stats;
}

export interface ResolvedTargets {
  /** The root with symlinks resolved (the deepest existing ancestor resolved, when the root does not exist yet). */
  realRoot: string;
  targets: Target[];
  /** Folders to create, parents first, absolute. */
  missingFolders: string[];
}

const isInside = (root: string, path: string) => path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function lstatOrUndefined(fs: FileSystem, path: string): Stats | undefined {
  try {
    return fs.lstatSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** The real path of root, and the folders of it that do not exist yet (parents first). */
function resolveRoot(fs: FileSystem, root: string): { realRoot: string; missing: string[] } {
  const missing: string[] = [];
  let existing = resolve(root);
  while (lstatOrUndefined(fs, existing) === undefined && dirname(existing) !== existing) {
    missing.unshift(existing);
    existing = dirname(existing);
  }
  const realBase = fs.realpathSync(existing);
  const realRoot = join(realBase, relative(existing, resolve(root)));
  return { realRoot, missing: missing.map((folder) => join(realBase, relative(existing, folder))) };
}

/**
 * Resolves every planned path under root. show(absolutePath) names a path in messages (relative to where the user
 * runs the command). Throws a WriteFailure (nothing has been written yet) for any path that cannot be written safely.
 */
export function resolveTargets(fs: FileSystem, root: string, paths: string[], showPath: (path: string) => string): ResolvedTargets {
  const { realRoot, missing } = resolveRoot(fs, root);
  // Paths below the real root are named as the user knows them: below root as given.
  const show = (path: string) => showPath(isInside(realRoot, path) ? join(root, relative(realRoot, path)) : path);
  const missingFolders = new Set<string>(missing);
  const targets: Target[] = [];
  for (const path of paths) {
    try {
      targets.push(resolveTarget(fs, realRoot, path, missingFolders, targets, show));
    } catch (error) {
      if (error instanceof WriteFailure) throw error;
      throw new WriteFailure(`cannot write ${showPath(join(root, path))}: ${describeCause(error)}; nothing was written`, exitCodeFor(error), { cause: error });
    }
  }
  checkWritable(fs, targets, missingFolders, show);
  return { realRoot, targets, missingFolders: [...missingFolders] };
}

/** One planned path: where it lands, after the checks (missingFolders collects the folders to create). */
function resolveTarget(fs: FileSystem, realRoot: string, path: string, missingFolders: Set<string>, targets: Target[], show: (path: string) => string): Target {
  const refuse = (message: string, exitCode = USER_DECIDES): never => {
    throw new WriteFailure(`${message}; nothing was written`, exitCode);
  };
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (isAbsolute(path) || parts.includes('..') || parts.length === 0) refuse(`${path}: not a path inside the repository`);
  let current = realRoot;
  let existing: Stats | undefined;
  for (const [index, part] of parts.entries()) {
    const last = index === parts.length - 1;
    const next = join(current, part);
    let stat = missingFolders.has(current) ? undefined : lstatOrUndefined(fs, next);
    if (stat?.isSymbolicLink()) {
      const link = fs.readlinkSync(next, 'utf8');
      let followed: string;
      try {
        followed = fs.realpathSync(next);
      } catch (error) {
        const why = errorCode(error) === 'ENOENT' ? 'which does not exist' : describeCause(error);
        return refuse(`${show(next)} is a symlink to ${link}, ${why}: remove the link or create what it points to`);
      }
      if (!isInside(realRoot, followed)) {
        return refuse(`${show(next)} is a symlink to ${link}, outside the repository: refusing to write through it (replace the link with a file, or point it inside the repository)`);
      }
      current = followed;
      stat = fs.lstatSync(followed);
    } else {
      current = next;
    }
    if (stat === undefined) {
      if (!last) missingFolders.add(current);
      continue;
    }
    if (!last && !stat.isDirectory()) refuse(`${show(current)} is a file, but ${path} needs it to be a folder: move it aside`);
    if (last && stat.isDirectory()) refuse(`${show(current)} is a folder, where ${path} should be written: move it aside`);
    if (last && !stat.isFile()) refuse(`${show(current)} is not a regular file: move it aside`);
    if (last) existing = stat;
  }
  const other = targets.find((target) => target.real === current);
  if (other) refuse(`${path} and ${other.path} are the same file (through a symlink): they cannot both be written`);
  return { path, real: current, existing };
}

/** A read-only file, or a folder we cannot create files in, is said before anything is written. */
function checkWritable(fs: FileSystem, targets: Target[], missingFolders: Set<string>, show: (path: string) => string): void {
  const checked = new Set<string>();
  const check = (path: string, what: string) => {
    if (checked.has(path)) return;
    checked.add(path);
    try {
      fs.accessSync(path, 2 /* W_OK */);
    } catch (error) {
      throw new WriteFailure(`${what} ${show(path)}: ${describeCause(error)}; nothing was written`, 1, { cause: error });
    }
  };
  for (const target of targets) {
    if (target.existing) check(target.real, 'cannot write');
    let folder = dirname(target.real);
    while (missingFolders.has(folder)) folder = dirname(folder);
    check(folder, 'cannot create files in');
  }
}
