// npm run mutate: mutation testing (Stryker, its TAP runner over node --test files) of the files whose promises the
// tests must keep, each against only the test files that cover it, one worker (the machine is shared). Not part of
// npm test. MUTATE=rules|makefile|deploy-role|review picks one file; reports land in reports/mutation/<name>.{html,json}.
import { rmSync } from 'node:fs';

const TARGETS = {
  rules: { mutate: 'lib/answers/rules.ts', tests: ['rules', 'bad-input'] },
  makefile: { mutate: 'lib/repository/makefile.ts', tests: ['makefile', 'pipeline-generator'] },
  'deploy-role': { mutate: 'lib/cloudformation/deploy-role.ts', tests: ['deploy-role-handlers', 'least-privilege', 'accounts', 'deploy-role'] },
  review: { mutate: 'lib/cloudformation/pipeline/review.ts', tests: ['review-pipeline', 'accounts'] },
};
const name = process.env.MUTATE ?? 'rules';
const target = TARGETS[name];
if (!target) throw new Error(`MUTATE=${name}: one of ${Object.keys(TARGETS).join(', ')}`);
// MUTATE_TESTS=least-privilege,accounts: a quicker, partial run over some of the covering files (says so in its report).
if (process.env.MUTATE_TESTS) target.tests = process.env.MUTATE_TESTS.split(',');

// The deploy role's handler-permission tests package the feature apps with the real Chalice: once per mutation run.
// Stryker removes its sandboxes but not this folder: a run clears it first, so no run reuses another's packages (the
// test processes inherit the variable already set, and keep the run's folder).
if (name === 'deploy-role' && !process.env.CHALICE_PACKAGE_CACHE) {
  const cache = new URL('.stryker-tmp-deploy-role/chalice-package-cache', import.meta.url).pathname;
  rmSync(cache, { recursive: true, force: true });
  process.env.CHALICE_PACKAGE_CACHE = cache;
}

export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  mutate: [target.mutate],
  // The sandbox holds the TypeScript sources: each run builds them (mutants switched on at run time, one build).
  // The sandbox is made 0700: the tests' own unprivileged user must reach it too (bad-input's unreadable file).
  buildCommand: 'npm run mutate:build',
  // tsconfig.json needs no rewriting (no extends or references), and TypeScript 7 has no JavaScript API to parse it.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  // The fast, hand-written test file first: a mutant it kills never reaches the slower ones.
  tap: {
    testFiles: target.tests.map((test) => `dist/test/${test}.test.js`),
    nodeArgs: ['-r', './test/support/stryker-cwd.cjs', '-r', '{{hookFile}}'],
  },
  coverageAnalysis: 'perTest',
  concurrency: 1,
  timeoutMS: 120_000,
  ignorePatterns: ['dist', 'reports', '.bench', '/orders', '.stryker-tmp*'],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  thresholds: { high: 90, low: 80, break: null },
  // One folder per file: runs of different files may go on side by side.
  tempDirName: `.stryker-tmp-${name}`,
  cleanTempDir: true,
};
