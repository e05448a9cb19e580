// Interrupted runs: the bin killed (SIGKILL) at random moments leaves no truncated or mixed file, and the next run
// puts the repository back and converges; SIGTERM and SIGINT end the run quietly (143, 130) with the repository as
// before or fully written, never in between.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import * as nodeFs from 'node:fs';
import { JOURNAL_WRITING, JOURNAL_WRITTEN, RECOVERING, SWITCH_MARKER, applyTransaction, recoverInterruptedRun, type FileSystem } from '../lib/run/write/transaction.js';
import { ownerOf, ownerState, type JournalOwner } from '../lib/run/write/journal-owner.js';
import { snapshot } from './support/disk.js';
import { USER_MAKEFILE, makefileRepo } from './support/fixtures.js';
import { BIN, runCli, runCliInProcess, tempDir, writeTree } from './support/tools.js';

const PIPELINE = ['pipeline', '--defaults', '--skip-git', '--skip-install'];
// Every kill point of the writer is covered one by one below ('a run killed just before any call of the writer'):
// these random kills cover what a stub cannot, a real process killed by the OS (about half land mid-write).
const KILL_TRIALS = 24;
/** Kills and signals that must land while the writer works (its journal exists), on the Yeoman route and per signal. */
const YEOMAN_MID_WRITE = 2;
const SIGNALS_MID_WRITE = 2;
/** The writer's own names: staged and replaced files beside their targets, and the journals. */
const OURS = /(^|\/)\.[^/]*\.chalice-pipeline-[0-9a-f]+\.(new|old)$|^\.chalice-pipeline-(writing|written|switching|recovering|[0-9a-f]{8}(-\d+)?)\.json$/;

/** A repository whose merged files are large enough for writing to take measurable time (~0.1 MB). */
function largeRepository(): Record<string, string> {
  const targets = Array.from({ length: 200 }, (_, i) => `team-task-${i}:\n\t@echo "task ${i}"\n`).join('\n');
  const settings = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`SETTING_${i}`, `value-${i}-${'x'.repeat(32)}`]));
  const config = { version: '2.0', app_name: 'orders', environment_variables: settings, stages: { dev: { api_gateway_stage: 'api' } } };
  return { ...makefileRepo(), Makefile: `${USER_MAKEFILE}\n${targets}`, '.chalice/config.json': `${JSON.stringify(config, null, 2)}\n` };
}

/** path -> bytes of every file below root. */
function files(root: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.set(relative(root, path), readFileSync(path));
    }
  };
  walk(root);
  return found;
}

interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The writer's journal existed when the signal was sent: it landed while files were being written. */
  midWrite: boolean;
}

/**
 * Runs the bin in dir and sends signal after `delay` ms, counted from the start, or from the moment the writer's
 * journal appears (fromJournal).
 */
function runAndInterrupt(dir: string, signal: NodeJS.Signals, delay: number, fromJournal: boolean, runtime = 'fast'): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', CHALICE_PIPELINE_RUNTIME: runtime };
    const child = spawn(process.execPath, [BIN, ...PIPELINE], { cwd: dir, stdio: 'ignore', env });
    let timer: NodeJS.Timeout | undefined;
    let midWrite = false;
    const send = () => {
      midWrite = existsSync(join(dir, JOURNAL_WRITING));
      child.kill(signal);
    };
    const watcher = watch(dir, (_event, name) => {
      if (fromJournal && name === JOURNAL_WRITING && timer === undefined) timer = setTimeout(send, delay);
    });
    if (!fromJournal) timer = setTimeout(send, delay);
    child.on('error', reject);
    child.on('exit', (code, exitSignal) => {
      watcher.close();
      clearTimeout(timer);
      resolve({ code, signal: exitSignal, midWrite });
    });
  });
}

describe('interrupted runs', () => {
  const repository = largeRepository();
  const reference = tempDir('cp-kill-');
  writeTree(reference, repository);
  const before = files(reference);
  const beforeTree = snapshot(reference);
  let afterTree: Map<string, string>;
  let after: Map<string, Buffer>;
  /** How long an undisturbed run takes, and how long its writer works (the journal's life, from creation to switch). */
  let runMs = 0;
  let writeMs = 0;

  it('an undisturbed run, timed', async () => {
    const started = Date.now();
    const journalEvents: number[] = [];
    const watcher = watch(reference, (_event, name) => {
      if (name === JOURNAL_WRITING) journalEvents.push(Date.now());
    });
    const done = await runAndInterrupt(reference, 'SIGKILL', 60_000, false);
    watcher.close();
    assert.equal(done.code, 0);
    runMs = Date.now() - started;
    assert.ok(journalEvents.length >= 2, 'the journal was created and switched');
    writeMs = Math.max(5, journalEvents.at(-1)! - journalEvents[0]!);
    after = files(reference);
    afterTree = snapshot(reference);
    assert.notDeepEqual(afterTree, beforeTree);
  });

  /**
   * One run killed after delay ms (from the start, or from the journal's appearance): no truncated or mixed file,
   * the recovery the next run starts with gives the old or the new tree, and the next run converges. Returns
   * whether the kill left the run half-written.
   */
  const killTrial = async (label: string, fromJournal: boolean, delay: number, runtime = 'fast'): Promise<boolean> => {
    const dir = tempDir('cp-kill-');
    writeTree(dir, repository);
    const killed = await runAndInterrupt(dir, 'SIGKILL', delay, fromJournal, runtime);
    const where = `${label}: killed ${Math.round(delay)} ms after ${fromJournal ? 'the journal appeared' : 'the start'} (exit ${killed.code ?? killed.signal})`;
    const found = files(dir);
    for (const [path, bytes] of found) {
      if (OURS.test(path)) continue;
      const old = before.get(path);
      const next = after.get(path);
      assert.ok((old && bytes.equals(old)) || (next && bytes.equals(next)), `${where}: ${path} is neither its old nor its new version (${bytes.length} bytes)`);
    }
    for (const path of before.keys()) assert.ok(found.has(path), `${where}: the team's ${path} is missing`);
    const halfWritten = readdirSync(dir).includes(JOURNAL_WRITING);
    if (halfWritten) {
      // A dry run (on the trial's route) reports the leftovers and changes nothing, not even them.
      const untouched = files(dir);
      const preview = runCli([...PIPELINE, '--dry-run'], dir, { CHALICE_PIPELINE_RUNTIME: runtime });
      assert.equal(preview.status, 0, `${where}: ${preview.stderr}`);
      // (A kill while the journal itself was being written leaves nothing to undo but that journal.)
      const undoable = (() => {
        try {
          return Array.isArray(JSON.parse(readFileSync(join(dir, JOURNAL_WRITING), 'utf8')).entries);
        } catch {
          return false;
        }
      })();
      const reported = `${preview.stdout}${preview.stderr}`.match(/an earlier run was interrupted while writing \d+ files in .*: a run without --dry-run undoes its changes first/g) ?? [];
      assert.equal(reported.length, undoable ? 1 : 0, `${where}: the dry run reports the interrupted run once, exactly when there is one to undo\n${preview.stdout}`);
      assert.deepEqual(files(dir), untouched, `${where}: the dry run changed the disk`);
    }
    // What the next run does first: the repository is then entirely as before or entirely written.
    recoverInterruptedRun(dir);
    const recovered = snapshot(dir);
    assert.ok(isDeepEqual(recovered, beforeTree) || isDeepEqual(recovered, afterTree), `${where}: after recovery, neither the old nor the new tree`);
    // From a whole old or new tree the next run is the undisturbed one; after a half-written run, show it.
    if (halfWritten) {
      const rerun = await runCliInProcess(PIPELINE, dir);
      assert.equal(rerun.status, 0, `${where}: ${rerun.stderr}`);
      assert.deepEqual(snapshot(dir), afterTree, `${where}: the next run converges`);
    }
    rmSync(dir, { recursive: true, force: true });
    return halfWritten;
  };

  it(`SIGKILL at ${KILL_TRIALS} random moments: no truncated or mixed file; the next run undoes and converges`, async (t) => {
    let midWrite = 0;
    // Half the kills anywhere in the run, half while the writer works (its journal exists). One at a time: this
    // process must see the journal appear when it does. A kill that came too late narrows the next ones' window.
    let window = writeMs * 1.5;
    for (let index = 0; index < KILL_TRIALS; index += 1) {
      const fromJournal = index % 2 === 1;
      const halfWritten = await killTrial(`trial ${index}`, fromJournal, Math.random() * (fromJournal ? window : runMs * 1.1));
      if (halfWritten) midWrite += 1;
      else if (fromJournal) window *= 0.6;
    }
    t.diagnostic(`${midWrite} of ${KILL_TRIALS} kills left a run half-written (undone by the next run)`);
    assert.ok(midWrite >= 5, `only ${midWrite} kills landed while files were being written: the test did not exercise the writer`);
  });

  it('the Yeoman route: SIGKILL while its commit writes, the same guarantees', async (t) => {
    // Until 2 kills have landed mid-write (at most 10 trials): each costs Yeoman's start-up, so no more than needed.
    let midWrite = 0;
    let trials = 0;
    let window = writeMs * 1.5;
    while (midWrite < YEOMAN_MID_WRITE && trials < 10) {
      if (await killTrial(`Yeoman trial ${trials}`, true, Math.random() * window, 'yeoman')) midWrite += 1;
      else window *= 0.6;
      trials += 1;
    }
    t.diagnostic(`${midWrite} of ${trials} kills left Yeoman's commit half-written`);
    assert.ok(midWrite >= YEOMAN_MID_WRITE, `only ${midWrite} of ${trials} kills landed while Yeoman's commit was writing: the test did not exercise it`);
  });

  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    for (const runtime of ['fast', 'yeoman']) {
      it(`${signal} while writing (${runtime === 'fast' ? 'the bin' : 'the Yeoman route'}): exit ${code}, the repository as before or fully written, nothing left over`, async (t) => {
        // On the bin, the first signal early in the run (before the writer); then from the journal's appearance
        // until 2 have landed mid-write (Yeoman's start-up makes each of its trials cost seconds: no more than needed).
        const early = runtime === 'fast' ? 1 : 0;
        let landed = 0;
        let trials = 0;
        let window = writeMs;
        const outcomes: string[] = [];
        while ((landed < SIGNALS_MID_WRITE || trials < 3 * early) && trials < 10) {
          const dir = tempDir('cp-signal-');
          writeTree(dir, repository);
          const fromJournal = trials >= early;
          const delay = fromJournal ? Math.random() * window : runMs / 3;
          const stopped = await runAndInterrupt(dir, signal, delay, fromJournal, runtime);
          const where = `${signal} ${Math.round(delay)} ms after ${fromJournal ? 'the journal appeared' : 'the start'} (exit ${stopped.code ?? stopped.signal}${stopped.midWrite ? ', mid-write' : ''})`;
          const state = snapshot(dir);
          const whole = isDeepEqual(state, beforeTree) ? 'before' : isDeepEqual(state, afterTree) ? 'after' : 'neither';
          assert.notEqual(whole, 'neither', `${where}: the repository is half-written`);
          if (stopped.midWrite) {
            // Our handlers are in place while the writer works: the run ends itself with the code, never dies of it.
            assert.equal(stopped.code, code, where);
            landed += 1;
          } else if (stopped.signal !== signal && stopped.code !== 0) {
            // A run that had finished before the signal arrived exits 0, fully written. While Node itself starts or
            // shuts down (before our handlers are in place, or after the run is done) it dies of the signal, which
            // the shell reports with the same code.
            assert.equal(stopped.code, code, where);
          }
          if (fromJournal && !stopped.midWrite) window *= 0.6;
          outcomes.push(`${whole}${stopped.midWrite ? ' (mid-write)' : ''}`);
          rmSync(dir, { recursive: true, force: true });
          trials += 1;
        }
        t.diagnostic(`${landed} of ${trials} signals landed mid-write: ${outcomes.join(', ')}`);
        assert.ok(landed >= SIGNALS_MID_WRITE, `only ${landed} of ${trials} signals landed while files were being written: ${outcomes.join(', ')}`);
      });
    }
  }

  /** Runs the bin in dir to its end (on the given route). */
  const runToEnd = (dir: string, args: string[] = [], runtime = 'fast') => new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const env = { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', CHALICE_PIPELINE_RUNTIME: runtime };
    const child = spawn(process.execPath, [BIN, ...PIPELINE, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
  /** A run's journal, with the Makefile staged, as a run owned by `owner` leaves it mid-write. */
  const halfWritten = (owner: JournalOwner) => ({
    [JOURNAL_WRITING]: JSON.stringify({
      run: 'feedbeef', ...owner, created: [],
      entries: [{ target: 'Makefile', staged: '.Makefile.chalice-pipeline-feedbeef.new', backup: '.Makefile.chalice-pipeline-feedbeef.old' }],
    }),
    '.Makefile.chalice-pipeline-feedbeef.new': 'half',
  });
  const ANOTHER_RUN = /another chalice-pipeline run \(process \d+\) is writing in .*: nothing was changed; run again when it has ended/;

  it('the journal of a run still going on is not a leftover: the next run stops (exit 1) and touches nothing; once it has ended, it is undone', async () => {
    const dir = tempDir('cp-live-');
    writeTree(dir, repository);
    // A run writing now: a live Node.js process owns a journal that has staged the Makefile.
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeTree(dir, halfWritten(ownerOf(live.pid!)));
      const busy = files(dir);
      for (const [args, runtime] of [[[], 'fast'], [['--dry-run'], 'fast'], [[], 'yeoman']] as const) {
        const run = await runToEnd(dir, [...args], runtime);
        assert.equal(run.code, 1, `${runtime} ${args.join(' ')}: ${run.output}`);
        assert.match(run.output, ANOTHER_RUN);
        assert.deepEqual(files(dir), busy, `${runtime} ${args.join(' ')}: the other run's files were touched`);
      }
    } finally {
      live.kill('SIGKILL');
    }
    await new Promise((resolve) => live.once('exit', resolve));
    const next = await runToEnd(dir);
    assert.equal(next.code, 0, next.output);
    assert.match(next.output, /an earlier run was interrupted while writing 1 files: its changes were undone before this run/);
    assert.deepEqual(snapshot(dir), afterTree);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a journal whose run cannot be checked from here (another machine) stops the next run until --force says it was killed', async () => {
    const dir = tempDir('cp-foreign-');
    writeTree(dir, repository);
    writeTree(dir, halfWritten({ ...ownerOf(process.pid), pid: 4242, host: 'build-container-3f2a9c' }));
    const busy = files(dir);
    const refused = await runToEnd(dir);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /another chalice-pipeline run \(process 4242 on build-container-3f2a9c\) may still be writing in .*: nothing was changed; when it has ended, run again; if it was killed, run again with --force to undo what it left/);
    assert.deepEqual(files(dir), busy);
    const forced = await runToEnd(dir, ['--force']);
    assert.equal(forced.code, 0, forced.output);
    assert.match(forced.output, /an earlier run was interrupted while writing 1 files: its changes were undone before this run/);
    assert.deepEqual(snapshot(dir), afterTree);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a dead run is told from a live one: another boot, a reused process id, this process, another machine with our pid', async () => {
    const other = spawn('python3', ['-c', 'import time; time.sleep(60)', '--yolo'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const live = ownerOf(other.pid!);
      assert.equal(ownerState(live), 'running', 'the process as recorded');
      assert.equal(ownerState({ ...live, started: live.started! + 1 }), 'dead', 'the same id, started at another time: reused');
      if (live.boot) assert.equal(ownerState({ ...live, boot: 'an-earlier-boot' }), live.machine ? 'dead' : 'unknown', 'this machine booted again');
      if (live.namespace) assert.equal(ownerState({ ...live, namespace: 'pid:[1]' }), 'unknown', 'another container\'s process ids');
      if (live.machine) assert.equal(ownerState({ ...live, machine: 'another-machine-id' }), 'unknown', 'another machine of the same host name');
      assert.equal(ownerState({ ...live, host: 'elsewhere' }), 'unknown');
      assert.equal(ownerState({ ...ownerOf(process.pid), host: 'elsewhere' }), 'unknown', 'our pid on another machine is no proof of death');
      assert.equal(ownerState(ownerOf(process.pid)), 'dead', 'a journal naming this very process was left before it started');
      assert.equal(ownerState({ pid: live.pid, host: live.host }), 'unknown', 'alive, but nothing tells whether it is the run');
      assert.equal(ownerState({}), 'dead', 'a journal that names no process');
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('a killed run that had not begun moving files into place leaves every target alone; one that had is undone', () => {
    for (const switched of [false, true]) {
      const dir = tempDir('cp-phase-');
      writeTree(dir, repository);
      const dead = { ...ownerOf(process.pid), pid: 999_999 };
      writeTree(dir, {
        [JOURNAL_WRITING]: JSON.stringify({ run: 'feedbeef', ...dead, created: [], entries: [{ target: 'NOTES.md', staged: '.NOTES.md.chalice-pipeline-feedbeef.new' }] }),
        // Before the switch: someone else's file at a path the run meant to create; after it: the run's own.
        'NOTES.md': switched ? 'the run\'s new file, moved into place' : 'written by someone else meanwhile',
        ...(switched ? { [SWITCH_MARKER]: JSON.stringify({ run: 'feedbeef' }) } : {}),
      });
      recoverInterruptedRun(dir);
      assert.equal(files(dir).has('NOTES.md'), !switched, switched ? 'the run\'s own new file is removed' : 'a file the run never touched stays');
      assert.deepEqual([...files(dir).keys()].filter((path) => OURS.test(path)), []);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a run that finds the repository changed once it holds the journal changes nothing, not even a file created meanwhile', async () => {
    const dir = tempDir('cp-meanwhile-');
    writeTree(dir, repository);
    const notes = join(dir, 'NOTES.md');
    let created = false;
    // Another writer creates the file while this run flushes its draft journal (before it holds the journal).
    const fs = { ...nodeFs, fsync: (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      if (!created) writeFileSync(notes, 'theirs');
      created = true;
      nodeFs.fsync(fd, callback);
    } } as unknown as FileSystem;
    await assert.rejects(applyTransaction(dir, [{ path: 'NOTES.md', contents: 'ours' }], { fs, seen: new Map([[notes, null]]) }), /NOTES\.md changed while this run was reading the repository/);
    assert.equal(readFileSync(notes, 'utf8'), 'theirs');
    assert.deepEqual([...files(dir).keys()].filter((path) => OURS.test(path)), []);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run recovering a killed run\'s leftovers holds a lock: a second run stops meanwhile; a dead holder\'s lock is replaced', async () => {
    const dir = tempDir('cp-recovering-');
    writeTree(dir, repository);
    const lock = (owner: JournalOwner) => ({ [RECOVERING]: JSON.stringify({ run: 'abad1dea', ...owner, created: [], entries: [] }) });
    writeTree(dir, halfWritten({ ...ownerOf(process.pid), pid: 999_999 }));
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      writeTree(dir, lock(ownerOf(live.pid!)));
      const busy = files(dir);
      const refused = await runToEnd(dir);
      assert.equal(refused.code, 1, refused.output);
      assert.match(refused.output, ANOTHER_RUN);
      assert.deepEqual(files(dir), busy);
    } finally {
      live.kill('SIGKILL');
    }
    writeTree(dir, lock({ ...ownerOf(process.pid), pid: 999_998 }));
    const next = await runToEnd(dir);
    assert.equal(next.code, 0, next.output);
    assert.match(next.output, /an earlier run was interrupted while writing 1 files: its changes were undone before this run/);
    assert.deepEqual(snapshot(dir), afterTree, 'recovered, the lock gone, then written');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a zombie (a killed run its parent has not reaped) is a dead run', async () => {
    const parent = spawn('python3', ['-c', 'import os, sys, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(60)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(ownerState(ownerOf(pid)), 'dead');
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('an unreadable journal (a power loss before its flush) is cleared; a killed run\'s draft journal too, a live run\'s is kept', async () => {
    const dir = tempDir('cp-unreadable-');
    writeTree(dir, repository);
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const draft = (owner: JournalOwner) => JSON.stringify({ run: 'feedbeef', ...owner, created: [], entries: [] });
      writeTree(dir, {
        [JOURNAL_WRITING]: '',
        '.chalice-pipeline-0badf00d.json': draft({ ...ownerOf(process.pid), pid: 999_999 }),
        '.chalice-pipeline-1badf00d.json': draft(ownerOf(live.pid!)),
      });
      const next = await runToEnd(dir);
      assert.equal(next.code, 0, next.output);
      assert.deepEqual([...files(dir).keys()].filter((path) => OURS.test(path) || path.startsWith('.chalice-pipeline-')), ['.chalice-pipeline-1badf00d.json']);
      rmSync(join(dir, '.chalice-pipeline-1badf00d.json'));
      assert.deepEqual(snapshot(dir), afterTree);
    } finally {
      live.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('two runs with different answers started together: each is written whole or stops (exit 1) naming why; never a mix', async (t) => {
    const first = ['--prod-deployment', 'Canary10Percent5Minutes'];
    const second = ['--prod-deployment', 'Linear10PercentEvery2Minutes', '--notification-email', 'ops@example.com'];
    // The trees an undisturbed sequence gives: either run alone, or one after the other.
    const sequence = async (...runs: string[][]) => {
      const dir = tempDir('cp-sequence-');
      writeTree(dir, repository);
      for (const args of runs) assert.equal((await runToEnd(dir, args)).code, 0);
      const tree = snapshot(dir);
      rmSync(dir, { recursive: true, force: true });
      return tree;
    };
    const whole = [await sequence(first), await sequence(second), await sequence(first, second), await sequence(second, first)];
    const outcomes: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      const dir = tempDir('cp-twice-');
      writeTree(dir, repository);
      const runs = await Promise.all([runToEnd(dir, first), runToEnd(dir, second, index % 2 === 0 ? 'fast' : 'yeoman')]);
      for (const run of runs) {
        if (run.code !== 0) {
          assert.equal(run.code, 1, run.output);
          assert.match(run.output, /another chalice-pipeline run .*is writing in|changed while this run was reading the repository \(another run, or an editor\?\)/);
        }
      }
      assert.deepEqual([...files(dir).keys()].filter((path) => OURS.test(path)), [], 'nothing of the writer is left');
      const tree = snapshot(dir);
      const before = isDeepEqual(tree, beforeTree);
      assert.ok(before ? runs.every((run) => run.code !== 0) : whole.some((done) => isDeepEqual(tree, done)), `trial ${index}: a mix of the two runs (exit ${runs.map((run) => run.code).join(', ')})`);
      outcomes.push(runs.map((run) => run.code).join('+'));
      rmSync(dir, { recursive: true, force: true });
    }
    t.diagnostic(`exit codes of the pairs: ${outcomes.join(', ')}`);
  });
});

function isDeepEqual(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);
}

/**
 * node:fs for a run that is killed (SIGKILL) just before its changing call number killAt (0-based): that call and
 * every later one changes nothing, as after the process's death (closing a file, which the kernel does then, is
 * allowed). killAt -1: never killed.
 */
function killedFileSystem(killAt: number): { fs: FileSystem; killedAt(): string | undefined } {
  let calls = 0;
  let killedAt: string | undefined;
  const layer: Record<string, unknown> = { ...nodeFs };
  for (const name of ['openSync', 'writeSync', 'fsync', 'closeSync', 'fchmodSync', 'fchownSync', 'renameSync', 'linkSync', 'copyFileSync', 'unlinkSync', 'mkdirSync', 'rmdirSync']) {
    const real = (nodeFs as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
    layer[name] = (...args: unknown[]) => {
      if (killedAt === undefined && calls++ === killAt) killedAt = `${name} ${typeof args[0] === 'string' ? relative(tmpdir(), args[0]) : `fd ${String(args[0])}`}`;
      if (killedAt !== undefined && name !== 'closeSync') {
        const dead = Object.assign(new Error('the process was killed'), { code: 'EKILLED' });
        if (name === 'fsync') return void setImmediate(() => (args[1] as (error: Error) => void)(dead));
        throw dead;
      }
      if (name === 'fsync') return void setImmediate(() => (args[1] as (error: null) => void)(null));
      return real(...args);
    };
  }
  return { fs: layer as unknown as FileSystem, killedAt: () => killedAt };
}

describe('a run killed just before any call of the writer', () => {
  const changes = [
    { path: 'Makefile', contents: 'build:\n\t@echo build\n\ntest:\n\t@echo test\n' },
    { path: 'OLD.md', contents: null },
    { path: '.github/workflows/pipeline.yml', contents: 'on: push\n' },
    { path: '.yo-rc.json', contents: '{ "generator-chalice-pipeline": {} }\n' },
  ];
  const scenarios: { name: string; root: string; repository: Record<string, string>; changes?: typeof changes }[] = [
    { name: 'in a repository', root: '.', repository: { Makefile: 'build:\n\t@echo build\n', 'OLD.md': 'to be removed\n', '.yo-rc.json': '{}\n' } },
    { name: 'in a folder the run creates (a new app)', root: 'orders', repository: {}, changes: changes.filter((change) => change.contents !== null) },
  ];
  for (const scenario of scenarios) {
    it(`${scenario.name}: the recovery the next run starts with (at once, as after a kill) gives the old or the new tree, nothing left over`, async () => {
      const planned = scenario.changes ?? changes;
      const reference = tempDir('cp-killed-at-');
      writeTree(reference, scenario.repository);
      const beforeTree = snapshot(reference);
      await applyTransaction(join(reference, scenario.root), planned, { fs: killedFileSystem(-1).fs });
      const afterTree = snapshot(reference);
      const withEmptyRoot = new Map([...beforeTree, [scenario.root, afterTree.get(scenario.root)!]]);
      let kills = 0;
      for (let killAt = 0; ; killAt += 1) {
        const dir = tempDir('cp-killed-at-');
        writeTree(dir, scenario.repository);
        const root = join(dir, scenario.root);
        const layer = killedFileSystem(killAt);
        await applyTransaction(root, planned, { fs: layer.fs }).catch(() => undefined);
        const where = `killed before call ${killAt} (${layer.killedAt() ?? 'none: the run ended'})`;
        // Until the run holds its journal, no record names a folder it made: a new app's folder may stay, empty.
        const unnamedFolder = !existsSync(join(root, JOURNAL_WRITING)) && !existsSync(join(root, JOURNAL_WRITTEN)) && scenario.root !== '.';
        recoverInterruptedRun(root);
        const recovered = snapshot(dir);
        const leftovers = [...recovered.keys()].filter((path) => !beforeTree.has(path) && !afterTree.has(path));
        assert.deepEqual(leftovers, [], `${where}: left over after recovery`);
        const whole = isDeepEqual(recovered, beforeTree) || isDeepEqual(recovered, afterTree) || (unnamedFolder && isDeepEqual(recovered, withEmptyRoot));
        assert.ok(whole, `${where}: after recovery, neither the old nor the new tree`);
        rmSync(dir, { recursive: true, force: true });
        if (layer.killedAt() === undefined) break;
        kills += 1;
      }
      assert.ok(kills >= 20, `only ${kills} calls: the writer was not exercised`);
      rmSync(reference, { recursive: true, force: true });
    });
  }
});
