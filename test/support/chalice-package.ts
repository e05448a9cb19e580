// The real Chalice (1.33) packaging apps as the Build stage does, then the SAM transform as CloudFormation applies it
// when the change set is created: many apps in one Python process (test/support/package_apps.py), once per test
// process (results cached in a temp dir that lives as long as the process, or in $CHALICE_PACKAGE_CACHE across
// processes: `npm run mutate` sets it, as the fixtures do not change while it runs the same test file many times).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonEnv } from './chalice.js';
import { PACKAGE_ROOT, tempDir } from './tools.js';
import type { CfnTemplate } from './security-rules.js';
import assert from 'node:assert/strict';
import { DeployedStack, type HandlerRequest } from './handler-requests.js';

export const FEATURE_APPS = join(PACKAGE_ROOT, 'test', 'fixtures', 'chalice-features');
const PACKAGER = join(PACKAGE_ROOT, 'test', 'support', 'package_apps.py');

export interface FeaturePackage {
  /** What `chalice package` wrote (SAM), with the code locations `aws cloudformation package` fills in. */
  packaged?: CfnTemplate & { Transform?: unknown };
  /** After the SAM transform: what CloudFormation deploys. */
  transformed?: CfnTemplate;
  /** Chalice's or the translator's message when the app cannot be packaged. */
  error?: string;
}

let workDir: string | undefined;
const cache = new Map<string, FeaturePackage>();

/** Every file of an app folder (path and bytes) as one digest: a changed fixture is packaged again. */
function folderDigest(folder: string): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else hash.update(`${child.slice(folder.length)}\0`).update(readFileSync(child)).update('\0');
    }
  };
  walk(folder);
  return hash.digest('hex').slice(0, 24);
}

/** Where a result persists across processes, when $CHALICE_PACKAGE_CACHE names a folder. */
function persistedPath(app: string, stage: string): string | undefined {
  const folder = process.env.CHALICE_PACKAGE_CACHE;
  if (!folder) return undefined;
  mkdirSync(folder, { recursive: true });
  return join(folder, `${folderDigest(app)}@${stage}.json`);
}

/**
 * Packages each app folder for each stage (copies first: Chalice writes .chalice/deployments into the project).
 * Returns `<app folder>@<stage>` -> result.
 */
export function packageApps(apps: string[], stages: string[] = ['beta', 'prod']): Map<string, FeaturePackage> {
  workDir ??= tempDir('cp-chalice-package-');
  const jobs: { key: string; project: string; stage: string; out: string }[] = [];
  for (const app of apps) {
    const project = join(workDir, `app-${cache.size + jobs.length}`);
    for (const stage of stages) {
      const key = `${app}@${stage}`;
      if (cache.has(key) || jobs.some((job) => job.key === key)) continue;
      const persisted = persistedPath(app, stage);
      if (persisted && existsSync(persisted)) {
        cache.set(key, JSON.parse(readFileSync(persisted, 'utf8')) as FeaturePackage);
        continue;
      }
      if (!existsSync(project)) cpSync(app, project, { recursive: true });
      jobs.push({ key, project, stage, out: `${project}-${stage}` });
    }
  }
  if (jobs.length > 0) {
    const jobsFile = join(workDir, `jobs-${cache.size}.json`);
    writeFileSync(jobsFile, JSON.stringify(jobs));
    const run = spawnSync('python3', [PACKAGER, jobsFile], { encoding: 'utf8', env: pythonEnv(), timeout: 300_000 });
    if (run.status !== 0) {
      throw new Error(`packaging with the real Chalice failed to run (is chalice 1.33 installed? /work/shared/tools/install-chalice): ${run.stderr || run.error?.message}`);
    }
    for (const { key, out, stage } of jobs) {
      const read = (name: string) => (existsSync(join(out, name)) ? readFileSync(join(out, name), 'utf8') : undefined);
      const packaged = read('packaged.json');
      const transformed = read('transformed.json');
      cache.set(key, {
        packaged: packaged === undefined ? undefined : JSON.parse(packaged),
        transformed: transformed === undefined ? undefined : JSON.parse(transformed),
        error: read('error.txt'),
      });
      const persisted = persistedPath(key.slice(0, -`@${stage}`.length), stage);
      if (persisted) writeFileSync(persisted, JSON.stringify(cache.get(key)));
    }
  }
  return new Map(apps.flatMap((app) => stages.map((stage): [string, FeaturePackage] => [`${app}@${stage}`, cache.get(`${app}@${stage}`)!])));
}

/** The calls CloudFormation makes for one feature app in each of its stacks (stage -> stack name), named by stage. */
export function featureStackRequests(packaged: Map<string, FeaturePackage>, feature: string, stacks: Record<string, string>): HandlerRequest[] {
  return Object.entries(stacks).flatMap(([stage, stack]) => {
    const result = packaged.get(`${join(FEATURE_APPS, feature)}@${stage}`)!;
    assert.ok(result.transformed, `${feature}/${stage} did not package: ${result.error}`);
    return new DeployedStack(result.transformed, stack).requests().map((request) => ({ ...request, resourceId: `${stage}: ${request.resourceId}` }));
  });
}
