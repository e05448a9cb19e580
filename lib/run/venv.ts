// .venv with the chosen Python (or the closest one found) and requirements-dev.txt installed into it.
// A failure is a warning with the command to run later: the files are already written. pip's output is captured
// (it would interleave with the generator's) and shown only when the install fails.
import { spawn, spawnSync } from 'node:child_process';
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

/** Runs a command without a terminal; resolves with its exit status and everything it printed. */
function captured(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ ok: false, output: `${output}${error.message}\n` }));
    child.on('close', (status) => resolve({ ok: status === 0, output }));
  });
}

export interface VenvSteps {
  /** A line to show now (the Python fallback note comes before the slow step). */
  say(line: string): void;
  /** Runs the slow step under a heading (Yeoman: its adapter's spinner; the bin: the heading line). */
  progress<T>(heading: string, step: () => Promise<T>): Promise<T>;
}

/** Sets up .venv; returns the closing lines (a warning with pip's output and the command to run later, or done). */
export async function setUpVenv(dir: string, project: Project, env: NodeJS.ProcessEnv, steps: VenvSteps, target = 'venv'): Promise<string[]> {
  const python = findPython(project.pythonVersion, env);
  const later = `cd ${dir} && make ${target}${python && !python.exact ? ` PYTHON=${python.command}` : ''}`;
  if (!python) return [`warning: no Python ${project.pythonVersion} (nor python3) found; create the virtualenv later: ${later}`];
  if (!python.exact) steps.say(`note: python${project.pythonVersion} not found; .venv uses ${python.command} (the pipeline builds with ${project.pythonVersion})`);
  const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '1', '--timeout', '15', '-r', 'requirements.txt', '-r', 'requirements-dev.txt'];
  const result = await steps.progress(`Installing requirements-dev.txt into .venv (${python.command})`, async () => {
    const venv = await captured(python.command, ['-m', 'venv', '.venv'], dir, env);
    if (!venv.ok) return { ...venv, failed: `creating .venv failed; run later: ${later}` };
    const install = await captured(join('.venv', 'bin', 'python'), pip, dir, env);
    return { ...install, failed: `installing requirements-dev.txt failed (offline?); run later: ${later}` };
  });
  if (result.ok) return ['installed requirements-dev.txt into .venv'];
  const shown = result.output.trimEnd().split('\n').slice(-20).map((line) => `  | ${line}`);
  return [...shown, `warning: ${result.failed}`];
}
