// The bin with a real terminal (a pty from `script`): it asks its questions through Yeoman's adapter and inquirer.
// Every question is answered with Enter (its default), so extra keystrokes are harmless and timing does not matter.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { answerDefaultsInTerminal } from './support/processes.js';
import { BIN, fakePython, requireTool, tempDir } from './support/tools.js';

// A person at a terminal: no CI variable (with one, ora draws no spinner, as a CI log wants) and a capable TERM.
function runInTerminal(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; output: string }> {
  requireTool('script', ['--version']);
  const { CI: _ci, ...inherited } = process.env;
  return answerDefaultsInTerminal([process.execPath, BIN, ...args], cwd, 60_000, { ...inherited, TERM: 'xterm-256color', AWS_REGION: '', AWS_DEFAULT_REGION: '', ...env });
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

  it('the install step: the Python fallback note, then a heading with a spinner while pip runs, pip\'s output only on failure', async () => {
    // Only python3.12 exists (3.13 is asked for); its pip takes 2 s, prints a line and fails.
    const { bin, log } = fakePython('3.12', 2);
    const cwd = tempDir('spin-');
    const { status, output } = await runInTerminal(['--app-name', 'spin', '--skip-git'], cwd, { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin` });
    assert.equal(status, 0, output);
    const note = output.indexOf('note: python3.13 not found; .venv uses python3.12');
    const heading = output.indexOf('Installing requirements-dev.txt into .venv (python3.12)');
    const pipSays = output.indexOf('| ERROR: no network');
    assert.ok(note >= 0 && heading > note, `the note comes before the heading:\n${output}`);
    assert.ok(pipSays > heading, `pip's output follows the heading, shown because the install failed:\n${output}`);
    // While pip runs, the spinner redraws the heading line (ora's frames) rather than printing pip's lines.
    assert.match(output.slice(heading - 20, pipSays), /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/u, 'a spinner frame');
    assert.match(output, /warning: installing requirements-dev\.txt failed \(offline\?\); the half-made \.venv was removed; run later: cd .*spin && make venv PYTHON=python3\.12/);
    // The heading ends failed, never ticked; the half-made .venv is gone; the next steps say how to finish it.
    assert.match(output, /✖ Installing requirements-dev\.txt into \.venv/);
    assert.doesNotMatch(output, /✔ Installing/);
    assert.ok(!existsSync(join(cwd, 'spin', '.venv')), 'no half-made .venv');
    assert.match(output, /Next steps:\r?\n {2}cd spin\r?\n {2}make venv PYTHON=python3\.12 +# finish \.venv/);
    assert.match(readFileSync(log, 'utf8'), /^venv-python -m pip install /m);
  });

  it('in a CI log (CI set) the install step prints its heading once, without spinner frames', async () => {
    const { bin } = fakePython('3.12', 1);
    const cwd = tempDir('ci-log-');
    const { status, output } = await runInTerminal(['--app-name', 'cilog', '--skip-git'], cwd, { CI: 'true', PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin` });
    assert.equal(status, 0, output);
    assert.equal(output.split('Installing requirements-dev.txt into .venv (python3.12)').length, 2, `the heading once:\n${output}`);
    assert.doesNotMatch(output, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/u);
  });
});

