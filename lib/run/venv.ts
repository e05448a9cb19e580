// .venv with the chosen Python (or the closest one found) and requirements-dev.txt installed into it.
// A failure is a warning with the command to run later: the files are already written.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PYTHON_VERSIONS } from '../facts/aws.js';
import type { Project } from '../answers/project.js';

/** On PATH and really runs (a pyenv shim for a version that is not active exists but fails). */
function runs(command: string, env: NodeJS.ProcessEnv): boolean {
  const onPath = (env.PATH ?? '').split(delimiter).some((folder) => folder && existsSync(join(folder, command)));
  return onPath && spawnSync(command, ['-c', ''], { env, stdio: 'ignore' }).status === 0;
}

/** python3.X for the chosen version, else the nearest installed minor version, else python3. */
export function findPython(version: string, env: NodeJS.ProcessEnv): { command: string; exact: boolean } | undefined {
  const wanted = Number(version.split('.')[1]);
  const distance = (v: string) => Math.abs(Number(v.split('.')[1]) - wanted);
  const candidates = [...PYTHON_VERSIONS].sort((a, b) => distance(a) - distance(b));
  for (const candidate of candidates) if (runs(`python${candidate}`, env)) return { command: `python${candidate}`, exact: candidate === version };
  return runs('python3', env) ? { command: 'python3', exact: false } : undefined;
}

export function setUpVenv(dir: string, project: Project, env: NodeJS.ProcessEnv, target = 'venv'): string[] {
  const python = findPython(project.pythonVersion, env);
  const later = `cd ${dir} && make ${target}${python && !python.exact ? ` PYTHON=${python.command}` : ''}`;
  if (!python) return [`warning: no Python ${project.pythonVersion} (nor python3) found; create the virtualenv later: ${later}`];
  const notes = python.exact ? [] : [`note: python${project.pythonVersion} not found; .venv uses ${python.command} (the pipeline builds with ${project.pythonVersion})`];
  const run = (command: string, args: string[]) => spawnSync(command, args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], env }).status === 0;
  if (!run(python.command, ['-m', 'venv', '.venv'])) return [...notes, `warning: creating .venv failed; run later: ${later}`];
  const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '1', '--timeout', '15', '-r', 'requirements.txt', '-r', 'requirements-dev.txt'];
  if (!run(join('.venv', 'bin', 'python'), pip)) return [...notes, `warning: installing requirements-dev.txt failed (offline?); run later: ${later}`];
  return [...notes, 'installed requirements-dev.txt into .venv'];
}
