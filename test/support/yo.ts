// A real `yo` 7 (the devDependency) for the tests. yo refuses to run as root and CI runs as root, so the runner
// creates a system user of its own when needed and starts yo as that user through `setpriv`, with a HOME it owns.
// yo finds this package as it finds an installed generator: node_modules/generator-chalice-pipeline on NODE_PATH,
// holding what the published package holds (symlinked), not the TypeScript sources.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT, requireTool, tempDir } from './tools.js';
import { answerDefaultsInTerminal, interruptAtFirstQuestion } from './processes.js';

const YO_CLI = join(PACKAGE_ROOT, 'node_modules', 'yo', 'lib', 'cli.js');
const TEST_USER = 'chalice-yo-test';

export interface YoResult {
  status: number | null;
  output: string;
}

export interface Yo {
  /** A folder the yo user may write to (for projects). */
  folder(name: string): string;
  /** yo with the given arguments in cwd, stdin not a terminal; env: variables to set (PATH, ...). */
  run(args: string[], cwd: string, env?: Record<string, string>): YoResult;
  /** yo in a pty (`script`), every question answered with Enter (its default). */
  runInTerminal(args: string[], cwd: string): Promise<YoResult>;
  /** yo in a pty, Ctrl-C pressed at the first question. */
  interruptInTerminal(args: string[], cwd: string): Promise<YoResult>;
  /** Hands a folder written by root (a fixture) to the yo user. */
  own(path: string): void;
}

function ids(user: string): { uid: number; gid: number } | undefined {
  const result = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  return { uid: Number(result.stdout.trim()), gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim()) };
}

/** The non-root user yo runs as: ourselves when not root, else a system user created once for these tests. */
function yoUser(): { uid: number; gid: number } {
  if (process.getuid!() !== 0) return { uid: process.getuid!(), gid: process.getgid!() };
  const existing = ids(TEST_USER);
  if (existing) return existing;
  requireTool('useradd', ['--help']);
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', TEST_USER], { stdio: 'pipe' });
  return ids(TEST_USER)!;
}

export function setUpYo(): Yo {
  const user = yoUser();
  const root = tempDir('cp-yo-');
  // mkdtemp makes 0700 folders: the yo user must reach what is inside.
  chmodSync(root, 0o755);
  const home = join(root, 'home');
  const work = join(root, 'work');
  const installed = join(root, 'lookup', 'node_modules', 'generator-chalice-pipeline');
  for (const folder of [home, work, installed]) mkdirSync(folder, { recursive: true });
  for (const entry of ['package.json', 'dist', 'templates', 'answers.schema.json', 'node_modules']) symlinkSync(join(PACKAGE_ROOT, entry), join(installed, entry));
  const own = (path: string) => {
    execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, path]);
  };
  chownSync(home, user.uid, user.gid);
  chownSync(work, user.uid, user.gid);
  const asUser = process.getuid!() === 0
    ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups']
    : [];
  const environment = [
    'env', '-i', `PATH=${process.env.PATH}`, `HOME=${home}`, `NODE_PATH=${join(root, 'lookup', 'node_modules')}`,
    // No network: no update check; no colours to strip.
    'NO_UPDATE_NOTIFIER=1', 'FORCE_COLOR=0', 'AWS_REGION=', 'AWS_DEFAULT_REGION=', 'TERM=dumb',
  ];
  if (asUser.length > 0) requireTool('setpriv', ['--version']);
  return {
    folder: (name) => {
      const path = join(work, name);
      mkdirSync(path, { recursive: true });
      own(path);
      return path;
    },
    own,
    run: (args, cwd, env = {}) => {
      const command = [...asUser, ...environment, ...Object.entries(env).map(([name, value]) => `${name}=${value}`), process.execPath, YO_CLI, ...args];
      const result = spawnSync(command[0]!, command.slice(1), { cwd, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
      if (result.error) throw result.error;
      return { status: result.status, output: `${result.stdout}${result.stderr}` };
    },
    runInTerminal: (args, cwd) => {
      requireTool('script', ['--version']);
      return answerDefaultsInTerminal([...asUser, ...environment, process.execPath, YO_CLI, ...args], cwd, 120_000);
    },
    interruptInTerminal: (args, cwd) => {
      requireTool('script', ['--version']);
      return interruptAtFirstQuestion([...asUser, ...environment, process.execPath, YO_CLI, ...args], cwd, 120_000);
    },
  };
}
