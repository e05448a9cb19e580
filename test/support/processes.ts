// Child processes of the tests: a command run to its end with its output, and a server started until the test stops
// it (its address read from its own output, so no port is guessed in advance).
import { spawn } from 'node:child_process';

export interface Finished {
  status: number | null;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
  stdout: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  stdin?: string;
}

/** Runs a command to its end (asynchronously, so other tests of the file go on meanwhile). */
export function runCommand(command: string, args: string[], options: RunOptions): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd, env: options.env, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let output = '';
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => { output += chunk; stdout += chunk; });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      resolve({ status, output: signal ? `${output}\n(killed by ${signal})` : output, stdout });
    });
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  });
}

export interface Server {
  /** The first match of the readiness pattern's first group, e.g. http://127.0.0.1:41234. */
  address: string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

export interface ServerOptions extends RunOptions {
  /** A line of the server's stdout or stderr whose first group is its address. */
  ready: RegExp;
  /** What the server is, for error messages. */
  name: string;
}

/**
 * Starts a long-running process in its own process group (so stop() ends any child it forks) and resolves once it
 * prints its address; rejects with its output when it exits first or stays silent past the timeout.
 */
export function startServer(command: string, args: string[], options: ServerOptions): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let exited = false;
    let ready = false;
    const exit = new Promise<void>((done) => child.on('exit', () => { exited = true; done(); }));
    const stop = async () => {
      if (exited) return;
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
      const killer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 3_000);
      await exit;
      clearTimeout(killer);
    };
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${options.name} printed no address within ${(options.timeoutMs ?? 15_000) / 1000} s:\n${output}`));
    }, options.timeoutMs ?? 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = options.ready.exec(output);
      if (match && !ready) {
        ready = true;
        clearTimeout(timer);
        resolve({ address: match[1]!, output: () => output, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    // After it was ready, an exit only settles stop(); a promise settles once, so this reject is then a no-op.
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${options.name} exited (${code}) before it was ready:\n${output}`)); });
  });
}

/**
 * Runs `words` in a real terminal (a pty from `script`, sized like a window: spinners measure the width) and presses
 * Enter every 250 ms, so each question takes its default whenever it comes; the pty's output is returned.
 */
export function answerDefaultsInTerminal(words: string[], cwd: string, timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  const command = words.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', `stty cols 120 rows 40; ${command}`, '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // The pty may close between two key presses: a late key is not an error.
    child.stdin.on('error', () => undefined);
    const enter = setInterval(() => child.stdin.write('\r'), 250);
    const timeout = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(enter);
      clearTimeout(timeout);
      resolve({ status, output });
    });
  });
}

/** Runs `words` in a real terminal and presses Ctrl-C once the first question is shown; the pty's output is returned. */
export function interruptAtFirstQuestion(words: string[], cwd: string, timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  const command = words.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', `stty cols 120 rows 40; ${command}`, '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let output = '';
    let pressed = false;
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (!pressed && /\?/.test(output)) {
        pressed = true;
        setTimeout(() => child.stdin.write('\u0003'), 300);
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.stdin.on('error', () => undefined);
    const timeout = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timeout);
      resolve({ status, output });
    });
  });
}
