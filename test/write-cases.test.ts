// What a team's repository may hold and how the writer treats it, on the bin's route and on the Yeoman route:
// symlinks (outside the repository: refused; inside: followed, the link kept; dangling: reported), read-only files
// and folders (as a non-root user, on the bin and under a real yo), and merged files that keep their permissions, CRLF line breaks and a missing
// final newline, run after run.
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PIPELINE_RUN, runPipelineOn, snapshot, unprivilegedUser, type Route } from './support/disk.js';
import { makefileRepo } from './support/fixtures.js';
import { BIN, tempDir, writeTree } from './support/tools.js';
import { setUpYo } from './support/yo.js';

const ROUTES: Route[] = ['in-process', 'yeoman-test'];

/** A team repository in a fresh folder, and a folder beside it (outside the repository). */
function teamRepository(): { repo: string; outside: string } {
  const parent = tempDir('cp-cases-');
  const repo = join(parent, 'repo');
  const outside = join(parent, 'outside');
  mkdirSync(outside);
  writeTree(repo, makefileRepo());
  return { repo, outside };
}

/** The last error line of a run (Yeoman lists its files on stderr first). */
const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1) ?? '';

describe('symlinks', () => {
  for (const route of ROUTES) {
    it(`${route}: a .gitignore linked outside the repository is refused (exit 3, link and target named), nothing written`, async () => {
      const { repo, outside } = teamRepository();
      writeFileSync(join(outside, 'team-gitignore'), 'node_modules/\n');
      rmSync(join(repo, '.gitignore'));
      symlinkSync(join(outside, 'team-gitignore'), join(repo, '.gitignore'), 'file');
      const before = snapshot(repo);
      const result = await runPipelineOn(route, repo);
      assert.equal(result.status, 3, result.stderr);
      assert.match(lastLine(result.stderr), /^(error: )?\.gitignore is a symlink to \S+\/outside\/team-gitignore, outside the repository: refusing to write through it .*; nothing was written$/);
      assert.deepEqual(snapshot(repo), before);
      assert.equal(readFileSync(join(outside, 'team-gitignore'), 'utf8'), 'node_modules/\n');
    });

    it(`${route}: a folder linked outside the repository (.chalice) is refused the same way`, async () => {
      const { repo, outside } = teamRepository();
      execFileSync('mv', [join(repo, '.chalice'), join(outside, 'chalice')]);
      symlinkSync(join(outside, 'chalice'), join(repo, '.chalice'), 'dir');
      const before = snapshot(repo);
      const outsideBefore = snapshot(outside);
      const result = await runPipelineOn(route, repo);
      assert.equal(result.status, 3, result.stderr);
      assert.match(lastLine(result.stderr), /\.chalice is a symlink to \S+\/outside\/chalice, outside the repository/);
      assert.deepEqual(snapshot(repo), before);
      assert.deepEqual(snapshot(outside), outsideBefore);
    });

    it(`${route}: a .gitignore linked inside the repository is followed and stays a link`, async () => {
      const plain = teamRepository();
      assert.equal((await runPipelineOn(route, plain.repo)).status, 0);
      const { repo } = teamRepository();
      mkdirSync(join(repo, 'config'));
      execFileSync('mv', [join(repo, '.gitignore'), join(repo, 'config', 'gitignore')]);
      symlinkSync(join('config', 'gitignore'), join(repo, '.gitignore'), 'file');
      const result = await runPipelineOn(route, repo);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(lstatSync(join(repo, '.gitignore')).isSymbolicLink(), 'the link is kept');
      assert.equal(readlinkSync(join(repo, '.gitignore')), join('config', 'gitignore'));
      assert.equal(readFileSync(join(repo, 'config', 'gitignore'), 'utf8'), readFileSync(join(plain.repo, '.gitignore'), 'utf8'));
    });

    it(`${route}: a dangling .gitignore link is reported (exit 3), not a crash`, async () => {
      const { repo } = teamRepository();
      rmSync(join(repo, '.gitignore'));
      symlinkSync(join('missing', 'gitignore'), join(repo, '.gitignore'), 'file');
      const before = snapshot(repo);
      const result = await runPipelineOn(route, repo);
      assert.equal(result.status, 3, result.stderr);
      assert.match(lastLine(result.stderr), /\.gitignore is a symlink to missing\/gitignore, which does not exist: remove the link or create what it points to; nothing was written$/);
      assert.deepEqual(snapshot(repo), before);
    });
  }
});

/** Line breaks of a text: CRLF and bare LF counts, and whether it ends with one. */
function breaks(text: string): { crlf: number; lf: number; final: boolean } {
  const crlf = text.split('\r\n').length - 1;
  return { crlf, lf: text.split('\n').length - 1 - crlf, final: text.endsWith('\n') };
}

describe('something in the way', () => {
  for (const route of ROUTES) {
    it(`${route}: a folder where a file goes, or a file where a folder goes, is exit 3 naming it`, async () => {
      for (const [block, expected] of [
        ['buildspec.yml', /buildspec\.yml is a folder, where buildspec\.yml should be written: move it aside; nothing was written$/],
        ['tests/integration', /tests\/integration is a file, but tests\/integration\/\S+ needs it to be a folder: move it aside; nothing was written$/],
      ] as const) {
        const { repo } = teamRepository();
        if (block === 'buildspec.yml') mkdirSync(join(repo, block));
        else writeFileSync(join(repo, block), 'a file of the team\n');
        const before = snapshot(repo);
        const result = await runPipelineOn(route, repo);
        assert.equal(result.status, 3, result.stderr);
        assert.match(lastLine(result.stderr), expected);
        assert.deepEqual(snapshot(repo), before);
      }
    });
  }
});

describe('merged files keep how the team writes them', () => {
  for (const route of ROUTES) {
    it(`${route}: permissions (0755, 0600, 0640) stay`, async () => {
      const { repo } = teamRepository();
      const modes = { Makefile: 0o755, '.chalice/config.json': 0o600, '.gitignore': 0o640 };
      for (const [path, mode] of Object.entries(modes)) chmodSync(join(repo, path), mode);
      const result = await runPipelineOn(route, repo);
      assert.equal(result.status, 0, result.stderr);
      for (const [path, mode] of Object.entries(modes)) assert.equal(statSync(join(repo, path)).mode & 0o7777, mode, path);
    });

    it(`${route}: CRLF files stay CRLF, files without a final newline stay without; the next run changes nothing`, async () => {
      const { repo } = teamRepository();
      const crlf = ['Makefile', '.chalice/config.json', '.gitignore'];
      for (const path of crlf) writeFileSync(join(repo, path), readFileSync(join(repo, path), 'utf8').replaceAll('\n', '\r\n'));
      // No final newline: the team's requirements-dev.txt (missing a requirement we add) and, CRLF too, the Makefile.
      writeFileSync(join(repo, 'requirements-dev.txt'), 'pytest');
      writeFileSync(join(repo, 'Makefile'), readFileSync(join(repo, 'Makefile'), 'utf8').replace(/\r\n$/, ''));
      const result = await runPipelineOn(route, repo);
      assert.equal(result.status, 0, result.stderr);
      for (const path of crlf) {
        const { crlf: count, lf } = breaks(readFileSync(join(repo, path), 'utf8'));
        assert.ok(count > 3 && lf === 0, `${path}: ${count} CRLF, ${lf} bare LF`);
      }
      assert.equal(breaks(readFileSync(join(repo, 'Makefile'), 'utf8')).final, false, 'Makefile: no final newline');
      const requirements = readFileSync(join(repo, 'requirements-dev.txt'), 'utf8');
      assert.match(requirements, /^pytest\nchalice/);
      assert.equal(breaks(requirements).final, false, 'requirements-dev.txt: no final newline');
      const written = snapshot(repo);
      assert.equal((await runPipelineOn(route, repo)).status, 0);
      assert.deepEqual(snapshot(repo), written, 'a second run finds every file up to date');
    });
  }
});

describe('read-only files and folders, as a non-root user', () => {

  it('yo: a read-only Makefile is exit 1 with the line naming it (a numeric code for yo), the repository intact', () => {
    const yo = setUpYo();
    const repo = yo.folder('read-only');
    writeTree(repo, makefileRepo());
    yo.own(repo);
    chmodSync(join(repo, 'Makefile'), 0o444);
    const before = snapshot(repo);
    const result = yo.run(['chalice-pipeline:pipeline', '--defaults', '--skip-install', '--skip-git'], repo);
    assert.equal(result.status, 1, result.output);
    assert.equal(lastLine(result.output), 'cannot write Makefile: permission denied (EACCES); nothing was written');
    assert.doesNotMatch(result.output, /TypeError|\n\s+at /, 'no stack trace');
    assert.deepEqual(snapshot(repo), before);
  });

  for (const [what, lock, expected] of [
    ['a read-only Makefile', (repo: string) => chmodSync(join(repo, 'Makefile'), 0o444), /^error: cannot write Makefile: permission denied \(EACCES\); nothing was written$/],
    ['a read-only .chalice folder', (repo: string) => chmodSync(join(repo, '.chalice'), 0o555), /^error: cannot create files in \.chalice: permission denied \(EACCES\); nothing was written$/],
  ] as const) {
    it(`bin: ${what} is exit 1 naming it, the repository intact`, () => {
      const user = unprivilegedUser();
      const { repo } = teamRepository();
      const home = join(repo, '..');
      chmodSync(home, 0o755);
      user.own(home);
      lock(repo);
      const before = snapshot(repo);
      const command = user.run(['env', `HOME=${home}`, 'AWS_REGION=', 'AWS_DEFAULT_REGION=', process.execPath, BIN, ...PIPELINE_RUN]);
      const result = spawnSync(command[0]!, command.slice(1), { cwd: repo, encoding: 'utf8', timeout: 120_000 });
      assert.equal(result.status, 1, result.stderr);
      assert.match(lastLine(result.stderr), expected);
      assert.deepEqual(snapshot(repo), before);
    });
  }
});
