// .venv with the chosen Python (or the closest one found) and requirements-dev.txt installed into it.
// A failure is a warning with the command to run later: the files are already written. pip's output is captured
// (it would interleave with the generator's) and shown only when the install fails.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
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
  /** Runs the slow step under a heading, marked done or failed by its `ok` (Yeoman: a spinner; the bin: the heading line). */
  progress<T extends { ok: boolean }>(heading: string, step: () => Promise<T>): Promise<T>;
}

export interface VenvOutcome {
  /** The closing lines: done, or pip's output and a warning. */
  lines: string[];
  /** The command that finishes the virtualenv when it could not be made now (for the next steps). */
  finish?: string;
}

/**
 * Sets up .venv. A failed install removes the .venv it created (a half-made one would make `make test` fail with
 * "No module named pytest" while the system's Python has it), and names the command that finishes it.
 */
export async function setUpVenv(dir: string, project: Project, env: NodeJS.ProcessEnv, steps: VenvSteps, target = 'venv'): Promise<VenvOutcome> {
  const python = findPython(project.pythonVersion, env);
  const command = `make ${target}${python && !python.exact ? ` PYTHON=${python.command}` : ''}`;
  const later = `cd ${dir} && ${command}`;
  if (!python) return { lines: [`warning: no Python ${project.pythonVersion} (nor python3) found; create the virtualenv later: ${later}`], finish: command };
  if (!python.exact) steps.say(`note: python${project.pythonVersion} not found; .venv uses ${python.command} (the pipeline builds with ${project.pythonVersion})`);
  const venv = join(dir, '.venv');
  const existed = existsSync(venv);
  const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '1', '--timeout', '15', '-r', 'requirements.txt', '-r', 'requirements-dev.txt'];
  const result = await steps.progress(`Installing requirements-dev.txt into .venv (${python.command})`, async () => {
    const created = await captured(python.command, ['-m', 'venv', '.venv'], dir, env);
    if (!created.ok) return { ...created, failed: 'creating .venv failed' };
    const install = await captured(join('.venv', 'bin', 'python'), pip, dir, env);
    return { ...install, failed: 'installing requirements-dev.txt failed (offline?)' };
  });
  if (result.ok) return { lines: ['installed requirements-dev.txt into .venv'] };
  const shown = result.output.trimEnd().split('\n').slice(-20).map((line) => `  | ${line}`);
  // A .venv the team had before stays (its own packages may still work); one made by this run goes.
  if (!existed) rmSync(venv, { recursive: true, force: true });
  const removed = existed ? '' : '; the half-made .venv was removed';
  return { lines: [...shown, `warning: ${result.failed}${removed}; run later: ${later}`], finish: command };
}

const SPINNER_FRAMES = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

/**
 * A spinner on a terminal that ends with ✔ or ✖ by the step's `ok` (Yeoman's adapter marks every end ✔, a failed
 * install too). Where nothing can be redrawn (a CI log, a terminal without a width) the heading is printed once.
 */
export async function spinWhile<T extends { ok: boolean }>(heading: string, step: () => Promise<T>, stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): Promise<T> {
  if (!stream.isTTY || !stream.columns || env.CI || env.TERM === 'dumb') {
    stream.write(`${heading}\n`);
    return step();
  }
  let frame = 0;
  const draw = () => stream.write(`\r${SPINNER_FRAMES[frame++ % SPINNER_FRAMES.length]} ${heading}`);
  draw();
  const timer = setInterval(draw, 80);
  const end = (ok: boolean) => {
    clearInterval(timer);
    stream.write(`\r\u001B[K${ok ? '✔' : '✖'} ${heading}\n`);
  };
  try {
    const result = await step();
    end(result.ok);
    return result;
  } catch (error) {
    end(false);
    throw error;
  }
}
