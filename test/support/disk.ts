// Disk-level test support: byte-for-byte snapshots of a folder, a file-system layer that fails at a chosen call,
// a small real tmpfs, and an unprivileged user to run the bin as.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helpers from 'yeoman-test';
import type { FileSystem } from '../../lib/run/write/transaction.js';
import { BIN, PACKAGE_ROOT, runCliInProcess, tempDir } from './tools.js';

/** Every path below root with its kind, mode and bytes (as a hash) or link target, folders included. */
export function snapshot(root: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (folder: string) => {
    for (const name of fs.readdirSync(folder).sort()) {
      const path = join(folder, name);
      const key = path.slice(root.length + 1);
      const stat = fs.lstatSync(path);
      if (stat.isSymbolicLink()) {
        entries.set(key, `link -> ${fs.readlinkSync(path)}`);
      } else if (stat.isDirectory()) {
        entries.set(key, `dir ${stat.mode.toString(8)}`);
        walk(path);
      } else {
        let hash: string;
        try {
          hash = createHash('sha256').update(fs.readFileSync(path)).digest('hex');
        } catch (error) {
          hash = `unreadable (${(error as NodeJS.ErrnoException).code})`;
        }
        entries.set(key, `file ${stat.mode.toString(8)} ${stat.size} ${hash}`);
      }
    }
  };
  walk(root);
  return entries;
}

/** The calls of the writer that change the disk or flush it: where a failure is injected. */
const CHANGING_CALLS = [
  'openSync', 'writeSync', 'fsync', 'closeSync', 'fchmodSync', 'fchownSync', 'renameSync', 'linkSync', 'copyFileSync',
  'unlinkSync', 'mkdirSync', 'rmdirSync',
] as const;

export interface FailingLayer {
  fs: FileSystem;
  /** Changing calls made so far. */
  calls(): number;
  /** The call that failed, as "renameSync /path", once it has. */
  failed(): string | undefined;
}

/**
 * node:fs, except that changing call number failAt (0-based) fails with code, as the device would report it
 * (failAt -1: none fails).
 */
export function failingFileSystem(failAt: number, code: string): FailingLayer {
  let calls = 0;
  let failed: string | undefined;
  const layer: Record<string, unknown> = { ...fs };
  for (const name of CHANGING_CALLS) {
    const real = (fs as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
    layer[name] = (...args: unknown[]) => {
      if (calls++ === failAt) {
        failed = `${name} ${typeof args[0] === 'string' ? args[0] : `fd ${String(args[0])}`}`;
        const error = Object.assign(new Error(`${code}: injected failure, ${name}`), { code });
        if (name === 'fsync') return void setImmediate(() => (args[1] as (error: Error) => void)(error));
        throw error;
      }
      // A flush that succeeds is not observable in-process: skip the device (~4 ms each) to keep many runs cheap.
      if (name === 'fsync') return void setImmediate(() => (args[1] as (error: null) => void)(null));
      return real(...args);
    };
  }
  return { fs: layer as unknown as FileSystem, calls: () => calls, failed: () => failed };
}

/** A fresh tmpfs of size bytes; throws naming what is missing when none can be mounted (the test fails, never skips). */
export function mountTmpfs(size: number): { dir: string; unmount(): void } {
  const dir = tempDir('cp-tmpfs-');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.error || mounted.status !== 0) {
    fs.rmdirSync(dir);
    const why = mounted.error?.message ?? mounted.stderr.trim();
    throw new Error(`a real full disk needs a tmpfs: run the tests as root where \`mount -t tmpfs\` is permitted (${why})`);
  }
  return {
    dir,
    unmount: () => {
      // yeoman-test moves the process into the folder it runs in: step out, or the mount stays busy.
      if (process.cwd().startsWith(dir)) process.chdir(tmpdir());
      const unmounted = spawnSync('umount', [dir], { encoding: 'utf8' });
      if (unmounted.status !== 0) spawnSync('umount', ['--lazy', dir]);
      fs.rmdirSync(dir);
    },
  };
}

/** Fills the file system of dir with a file so that about `free` bytes stay available. */
export function fillDisk(dir: string, free: number): string {
  const filler = join(dir, 'filler');
  const { bavail, bsize } = fs.statfsSync(dir);
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - free)));
  return filler;
}

const USER = 'cp-writer-test';

/** A user whose runs file permissions stop: this one when not root, else a user of the tests' own (created once). */
export interface UnprivilegedUser {
  uid: number;
  gid: number;
  /** The command as that user. */
  run(command: string[]): string[];
  /** Hands a folder written by root (a fixture) to that user. */
  own(path: string): void;
}

/** The user, or an error naming what is missing (useradd, setpriv): the test fails with it, never skips. */
export function unprivilegedUser(): UnprivilegedUser {
  const own = (uid: number, gid: number) => (path: string) => void execFileSync('chown', ['-R', `${uid}:${gid}`, path]);
  if (process.getuid?.() !== 0) return { uid: process.getuid!(), gid: process.getgid!(), run: (command) => command, own: own(process.getuid!(), process.getgid!()) };
  let id = spawnSync('id', ['-u', USER], { encoding: 'utf8' });
  if (id.status !== 0) {
    const added = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', USER], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`running as root, these tests need a user root is not, and useradd cannot create one (${added.error?.message ?? added.stderr.trim()})`);
    id = spawnSync('id', ['-u', USER], { encoding: 'utf8' });
  }
  const setpriv = spawnSync('setpriv', ['--version'], { encoding: 'utf8' });
  if (setpriv.error || setpriv.status !== 0) throw new Error(`running as root, these tests switch user with setpriv (util-linux), which is missing (${setpriv.error?.message ?? setpriv.stderr.trim()})`);
  const uid = Number(id.stdout.trim());
  const gid = Number(spawnSync('id', ['-g', USER], { encoding: 'utf8' }).stdout.trim());
  return { uid, gid, run: (command) => ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', ...command], own: own(uid, gid) };
}

/**
 * How a run reaches the writer: the bin's code in this process, the spawned bin, the pipeline generator through
 * yeoman-test (in this process, Yeoman's commit), the spawned bin through yeoman-environment.
 */
export type Route = 'in-process' | 'bin' | 'yeoman-test' | 'yeoman';

export const PIPELINE_RUN = ['pipeline', '--defaults', '--skip-git', '--skip-install'];

/** A `pipeline` run with the defaults in repo by route: its exit code and error output. */
export async function runPipelineOn(route: Route, repo: string): Promise<{ status: number | null; stderr: string }> {
  if (route === 'in-process') return runCliInProcess(PIPELINE_RUN, repo);
  if (route === 'bin' || route === 'yeoman') {
    // Yeoman's runtime takes ~1 s to load; a busy machine may take many times that.
    const result = spawnSync(process.execPath, [BIN, ...PIPELINE_RUN], {
      cwd: repo, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', CHALICE_PIPELINE_RUNTIME: route === 'yeoman' ? 'yeoman' : 'fast' },
    });
    if (result.error) throw result.error;
    return { status: result.status, stderr: result.stderr };
  }
  try {
    await helpers.run(join(PACKAGE_ROOT, 'dist', 'generators', 'pipeline', 'index.js'))
      .cd(repo).withOptions({ defaults: true, 'skip-git': true, skipInstall: true } as never);
    return { status: 0, stderr: '' };
  } catch (error) {
    // yo exits with the error's code: it must be the exit code as a number.
    const { code, message } = error as { code?: unknown; message: string };
    return { status: typeof code === 'number' ? code : -1, stderr: `${message}\n` };
  }
}
