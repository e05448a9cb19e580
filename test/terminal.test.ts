// The bin with a real terminal (a pty from `script`): it asks its questions through Yeoman's adapter and inquirer.
// Every question is answered with Enter (its default), so extra keystrokes are harmless and timing does not matter.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, requireTool, tempDir } from './support/tools.js';

function runInTerminal(args: string[], cwd: string): Promise<{ status: number | null; output: string }> {
  requireTool('script', ['--version']);
  return new Promise((resolve, reject) => {
    const command = [process.execPath, BIN, ...args].map((word) => `'${word}'`).join(' ');
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const enter = setInterval(() => child.stdin.write('\r'), 250);
    const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(enter);
      clearTimeout(timeout);
      resolve({ status, output });
    });
  });
}

describe('chalice-pipeline in a terminal', () => {
  it('asks the main questions and the customise gate, takes the defaults on Enter and writes the repository into the empty folder it is named after', async () => {
    const cwd = tempDir('shop-');
    const { status, output } = await runInTerminal(['--skip-install', '--skip-git'], cwd);
    assert.equal(status, 0, output);
    assert.match(output, /App name\?/);
    assert.match(output, /Where does the code live\?/);
    assert.match(output, /AWS CodeCommit \(the stack creates the repository\)/, 'choices carry readable labels');
    // Enter on "Customise the pipeline?" is no: the details take their defaults without a question.
    assert.match(output, /Customise the pipeline\?/);
    assert.doesNotMatch(output, /Manual approval before production\?/);
    const name = basename(cwd);
    // The app name defaults to the folder's name, and an empty folder of that name is the repository itself.
    const saved = JSON.parse(readFileSync(join(cwd, '.yo-rc.json'), 'utf8'))['generator-chalice-pipeline'];
    assert.equal(saved.appName, name);
    assert.equal(saved.region, 'us-east-1');
    assert.equal(saved.pipelineType, 'V2');
    assert.match(output, /Next steps:/);
  });
});
