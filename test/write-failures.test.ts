// All or nothing under failure: a failure injected at every call of the writer that changes or flushes the disk
// (a `pipeline` run, an `app` re-run), and a real full disk (a small tmpfs) on the bin and on the Yeoman route.
// After each: every file as before and nothing new, or everything applied; then a re-run gives the undisturbed tree.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCli } from '../lib/run/cli-args.js';
import { runWithoutPrompts } from '../lib/run/run.js';
import { WriteFailure } from '../lib/run/write/failure.js';
import { JOURNAL_WRITTEN, type FileSystem } from '../lib/run/write/transaction.js';
import { PIPELINE_RUN, failingFileSystem, fillDisk, mountTmpfs, runPipelineOn, snapshot, type Route } from './support/disk.js';
import { USER_MAKEFILE, makefileRepo } from './support/fixtures.js';
import { tempDir, writeTree } from './support/tools.js';

const QUIET = ['--skip-git', '--skip-install'];
const PIPELINE = PIPELINE_RUN;
const SILENT = { out: () => undefined, err: () => undefined };
const CODES = ['ENOSPC', 'EIO', 'EACCES', 'EROFS', 'EDQUOT', 'ENOENT'];
/** Names the writer leaves only when its clean-up after the switch failed (the next run removes them). */
const LEFTOVER = /(^|\/)\.[^/]*\.chalice-pipeline-[0-9a-f]+\.old$|(^|\/)\.chalice-pipeline-(written|switching)\.json$/;

/** A team's repository whose Makefile holds 24 KB of their own targets (the size of the reported incident). */
function teamRepository(): Record<string, string> {
  const targets = Array.from({ length: 400 }, (_, i) => `team-task-${i}:\n\t@echo "task ${i} of the team's own Makefile"\n`).join('\n');
  return { ...makefileRepo(), Makefile: `${USER_MAKEFILE}\n${targets}` };
}

/** The bin's fast path in-process, writing through layer (by default one where nothing fails). */
async function runPipeline(cwd: string, args: string[], layer = failingFileSystem(-1, 'EIO')): Promise<void> {
  await runWithoutPrompts(parseCli(args), cwd, { AWS_REGION: '', AWS_DEFAULT_REGION: '' }, SILENT, layer.fs);
}

interface Scenario {
  name: string;
  /** Builds the repository in a fresh folder; returns the folder the run starts in. */
  setUp(): Promise<string>;
  args: string[];
}

const SCENARIOS: Scenario[] = [
  {
    name: 'a pipeline run in a team repository',
    args: PIPELINE,
    setUp: async () => {
      const cwd = tempDir('cp-inject-');
      writeTree(cwd, teamRepository());
      return cwd;
    },
  },
  {
    name: 'a new app (its folder is created by the run)',
    args: ['--app-name', 'orders', '--defaults', ...QUIET],
    setUp: async () => tempDir('cp-inject-'),
  },
  {
    name: 'an app re-run with changed answers',
    args: ['--defaults', '--no-production', ...QUIET],
    setUp: async () => {
      const parent = tempDir('cp-inject-');
      await runPipeline(parent, ['--app-name', 'orders', '--defaults', ...QUIET]);
      return join(parent, 'orders');
    },
  },
];

describe('the record of what was generated is never ahead of the files', () => {
  // Files are moved into place one rename at a time: .yo-rc.json must be the last, so that a run stopped between two
  // renames never leaves a record describing files that are not there yet.
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: .yo-rc.json is the last file moved into place`, async () => {
      const cwd = await scenario.setUp();
      const placed: string[] = [];
      const recording: FileSystem = {
        ...fs,
        renameSync: (from: fs.PathLike, to: fs.PathLike) => {
          fs.renameSync(from, to);
          // Staged files (.<name>.chalice-pipeline-<run>.new) moving onto their targets; not the journal's renames.
          if (/\.chalice-pipeline-[0-9a-f]+\.new$/.test(String(from))) placed.push(String(to).slice(cwd.length + 1));
        },
      };
      await runWithoutPrompts(parseCli(scenario.args), cwd, { AWS_REGION: '', AWS_DEFAULT_REGION: '' }, SILENT, recording);
      const record = placed.filter((path) => path.endsWith('.yo-rc.json'));
      assert.equal(record.length, 1, `one .yo-rc.json moved into place: ${placed.join(', ')}`);
      assert.ok(placed.length >= 5, `the run moved its files into place: ${placed.join(', ')}`);
      assert.ok(placed.at(-1)!.endsWith('.yo-rc.json'), `moved in this order: ${placed.join(', ')}`);
      rmSync(cwd, { recursive: true, force: true });
    });
  }
});

describe('a failure at every call of the writer', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: before or after, never between; the re-run converges`, async (t) => {
      const pristine = await scenario.setUp();
      const before = snapshot(pristine);
      const undisturbed = tempDir('cp-inject-');
      cpSync(pristine, undisturbed, { recursive: true });
      await runPipeline(undisturbed, scenario.args);
      const after = snapshot(undisturbed);
      assert.notDeepEqual(after, before, 'the run changes something');
      let failures = 0;
      for (let failAt = 0; ; failAt += 1) {
        const cwd = tempDir('cp-inject-');
        cpSync(pristine, cwd, { recursive: true });
        const layer = failingFileSystem(failAt, CODES[failAt % CODES.length]!);
        let error: unknown;
        try {
          await runPipeline(cwd, scenario.args, layer);
        } catch (caught) {
          error = caught;
        }
        const injected = layer.failed();
        const where = `failure ${failAt} (${injected ?? 'none'})`;
        if (error !== undefined) {
          failures += 1;
          assert.ok(error instanceof WriteFailure, `${where}: ${String(error)}`);
          assert.match(error.message, /^cannot write \S+: .+ \((ENOSPC|EIO|EACCES|EROFS|EDQUOT|ENOENT)\); nothing was changed$/, where);
          assert.equal(error.exitCode, 1, where);
          assert.deepEqual(snapshot(cwd), before, `${where}: every file as before, nothing new`);
        } else {
          const state = snapshot(cwd);
          const leftovers = [...state.keys()].filter((path) => LEFTOVER.test(path));
          // A failed clean-up after the switch leaves the replaced files and the journal that lists them.
          if (leftovers.length > 0) assert.ok(leftovers.some((path) => path.endsWith(JOURNAL_WRITTEN)), `${where}: ${leftovers.join(', ')} left without a journal`);
          for (const path of leftovers) state.delete(path);
          assert.deepEqual(state, after, `${where}: everything applied`);
        }
        await runPipeline(cwd, scenario.args);
        assert.deepEqual(snapshot(cwd), after, `${where}: the re-run gives the undisturbed tree`);
        rmSync(cwd, { recursive: true, force: true });
        if (injected === undefined) break;
      }
      t.diagnostic(`${failures} injected failures`);
      // The test could fail: most calls were made to fail, and each was caught.
      assert.ok(failures >= 40, `only ${failures} injected failures made the run fail`);
    });
  }
});

describe('a real full disk (tmpfs)', () => {
  const PAGE = 4096;

  it('the bin and the Yeoman route: exit 1 naming the file and ENOSPC, the repository intact; then the re-run works', async (t) => {
    const disk = mountTmpfs(2 * 1024 * 1024);
    try {
      const reference = tempDir('cp-full-');
      writeTree(reference, teamRepository());
      const before = snapshot(reference);
      await runPipeline(reference, PIPELINE);
      const after = snapshot(reference);
      const outcomes: string[] = [];
      // Free space from none to enough, in pages: the bin's code for every level, the spawned bin and the Yeoman
      // route (yeoman-test, then the bin through yeoman-environment) for some.
      // (The pipeline command writes PIPELINE.md too: the largest level leaves room for it.)
      for (let pages = 0; pages <= 48; pages += 6) {
        const routes: Route[] = ['in-process', ...(pages === 12 ? ['bin', 'yeoman'] as const : []), ...(pages === 6 || pages === 24 || pages === 48 ? ['yeoman-test'] as const : [])];
        for (const route of routes) {
          const repo = join(disk.dir, 'repo');
          rmSync(repo, { recursive: true, force: true });
          mkdirSync(repo);
          writeTree(repo, teamRepository());
          const filler = fillDisk(disk.dir, pages * PAGE);
          const result = await runPipelineOn(route, repo);
          const where = `${route} with ${pages} pages free: exit ${result.status}\n${result.stderr}`;
          if (result.status === 0) {
            assert.deepEqual(snapshot(repo), after, where);
          } else {
            assert.equal(result.status, 1, where);
            // Yeoman writes its file list to stderr too: the error is the last line, and the only one elsewhere.
            const lines = result.stderr.trim().split('\n');
            if (route !== 'yeoman') assert.equal(lines.length, 1, where);
            assert.match(lines.at(-1)!, /^(error: )?cannot write \S+: no space left on the device \(ENOSPC\); nothing was (changed|written)$/, where);
            assert.deepEqual(snapshot(repo), before, `${where}: the repository as before`);
          }
          outcomes.push(`${route}:${result.status}`);
          t.diagnostic(`${route}, ${pages} pages free: exit ${result.status}`);
          rmSync(filler);
          const rerun = await runPipelineOn(route, repo);
          assert.equal(rerun.status, 0, `${where}\nre-run: ${rerun.stderr}`);
          assert.deepEqual(snapshot(repo), after, `${where}: the re-run converges`);
        }
      }
      for (const route of ['in-process', 'bin', 'yeoman-test', 'yeoman'] as const) {
        assert.ok(outcomes.includes(`${route}:1`), `${route} met a full disk at least once (${outcomes.join(' ')})`);
      }
      assert.ok(outcomes.includes('in-process:0') && outcomes.includes('yeoman-test:0'), `the largest level leaves room for the run (${outcomes.join(' ')})`);
    } finally {
      disk.unmount();
    }
  });
});
