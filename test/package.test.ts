// The published package: only what a user needs, one copy of each shared dependency, and a tarball that installs
// into an empty folder and generates a project with its bin.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT, tempDir } from './support/tools.js';

const npm = (args: string[], cwd = PACKAGE_ROOT) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('npm pack', () => {
  const packed = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts']))[0] as { files: { path: string }[] };
  const files = packed.files.map((file) => file.path).sort();

  it('holds compiled JS, templates, the answers schema, README and LICENSE only', () => {
    const allowed = [/^dist\/(bin|generators|lib)\/.+\.js$/, /^templates\//, /^answers\.schema\.json$/, /^README\.md$/, /^LICENSE$/, /^package\.json$/];
    const unexpected = files.filter((path) => !allowed.some((pattern) => pattern.test(path)));
    assert.deepEqual(unexpected, []);
    for (const needed of ['dist/bin/chalice-pipeline.js', 'dist/generators/app/index.js', 'dist/generators/pipeline/index.js', 'templates/pipeline/buildspec.yml', 'templates/app/app.py', 'answers.schema.json']) {
      assert.ok(files.includes(needed), `${needed} missing from the package`);
    }
    assert.ok(!files.some((path) => path.startsWith('dist/test/') || path.endsWith('.ts')), 'no tests or TypeScript sources');
  });

  it('installs from the tarball into an empty folder, and its bin generates a project', () => {
    const tarballDir = tempDir('cp-pack-');
    const name = npm(['pack', '--ignore-scripts', '--pack-destination', tarballDir]).trim().split('\n').at(-1)!;
    const project = tempDir('cp-install-');
    npm(['init', '-y'], project);
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(tarballDir, name)], project);
    const bin = join(project, 'node_modules', '.bin', 'chalice-pipeline');
    const run = spawnSync(bin, ['--app-name', 'packed', '--defaults', '--skip-install', '--skip-git'], { cwd: project, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(existsSync(join(project, 'packed', 'pipeline.json')));
    // Yeoman's runtime (npm's installer with it) is yo's to bring: an optional peer, not installed with us.
    assert.ok(!existsSync(join(project, 'node_modules', 'yeoman-environment')), 'yeoman-environment installed with the package');
  });
});

describe('dependencies', () => {
  it('have one copy each of the packages Yeoman shares', () => {
    for (const name of ['ejs', 'mem-fs', 'mem-fs-editor', 'inquirer', 'yeoman-generator']) {
      const copies = new Set(npm(['ls', name, '--all', '--parseable']).split('\n').filter((line) => line.endsWith(`node_modules/${name}`)));
      assert.equal(copies.size, 1, `${name}: ${[...copies].join(', ')}`);
    }
  });
});

describe('yo lookup', () => {
  it('finds chalice-pipeline:app and chalice-pipeline:pipeline as compiled JS in this package', async () => {
    // As `npm link` leaves it: node_modules/generator-chalice-pipeline -> this checkout (TypeScript sources included).
    const linked = join(tempDir('cp-link-'), 'node_modules', 'generator-chalice-pipeline');
    mkdirSync(dirname(linked), { recursive: true });
    symlinkSync(PACKAGE_ROOT, linked);
    const { createEnv } = await import('yeoman-environment');
    const env = createEnv();
    await env.lookup({ packagePaths: [linked] });
    for (const namespace of ['chalice-pipeline:app', 'chalice-pipeline:pipeline']) {
      const meta = env.getGeneratorMeta(namespace);
      assert.ok(meta, `${namespace} not registered`);
      assert.match(meta.resolved ?? '', /dist\/generators\/(app|pipeline)\/index\.js$/, 'the compiled generator wins over the .ts source');
    }
  });
});

describe('the README main job', () => {
  it('`npx chalice-pipeline` runs from this checkout (the built bin is executable)', () => {
    const bin = join(PACKAGE_ROOT, 'dist', 'bin', 'chalice-pipeline.js');
    assert.ok((statSync(bin).mode & 0o111) !== 0, `${bin} is not executable: npx cannot run it`);
    const help = spawnSync('npx', ['--no-install', 'chalice-pipeline', '--help'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: chalice-pipeline \[app\|pipeline\] \[options\]/);
  });
});
