// The release on GitHub Actions or GitLab CI/CD (answer ci): ci-access.json checked by cfn-lint, every security rule
// and IAM evaluation of its roles; release.yml validated by GitHub's own workflow parser and its least privilege
// checked on the parsed workflow; .gitlab-ci.yml's structure; all of them also for `stages` lists of three stages
// with a two-target wave (one of them issue 17's example: canary prod in two regions).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { mergeAnswers, savedForm, finishAnswers } from '../lib/answers/answers.js';
import type { Project } from '../lib/answers/project.js';
import type { StageAnswer } from '../lib/answers/stage-list.js';
import { ciAccessTemplate, ciTargets } from '../lib/cloudformation/ci-access.js';
import { ciStages } from '../lib/repository/ci/release-jobs.js';
import { templateText } from '../lib/cloudformation/cfn.js';
import { ACTIONS, releaseWorkflow, releaseWorkflowText } from '../lib/repository/ci/github-actions.js';
import { gitlabCi, gitlabCiText } from '../lib/repository/ci/gitlab-ci.js';
import { SECURITY_RULES, asList, objectAt, type CfnTemplate } from './support/security-rules.js';
import { ACCOUNT, REGION, STACK_NAME, allows, pipelineRoleArn, roleStatements, type IamStatement } from './support/iam-policy.js';
import { LONGEST_APP_NAME, PROD_ACCOUNT, STAGES_EXAMPLE, cfnLint, newRepositoryFiles, projectFor, readTree, repositoryWithFakeAws, runCli, tempDir } from './support/tools.js';

const GITHUB = { ci: 'github-actions', repository: 'acme/orders' } as const;
const GITLAB = { ci: 'gitlab-ci', repository: 'acme/platform/orders' } as const;

/** Three stages, the last a wave of two targets in two accounts and regions, as the `stages` answer gives them. */
const THREE_STAGES: StageAnswer[] = [
  { name: 'beta', tests: true },
  { name: 'staging', account: '444444444444', tests: true },
  { name: 'prod', approval: true, targets: [{ account: PROD_ACCOUNT, region: 'eu-west-1' }, { account: '555555555555' }] },
];
const threeStages = (ci: typeof GITHUB | typeof GITLAB) => projectFor({ ...ci, stages: THREE_STAGES });
/** Issue 17's example: dev; staging in another account with tests; prod behind an approval, canary, a wave of two regions. */
const stagesExample = (ci: typeof GITHUB | typeof GITLAB) => projectFor({ ...ci, region: 'us-east-1', stages: STAGES_EXAMPLE });

const VARIANTS: { name: string; project: Project }[] = [
  { name: 'github', project: projectFor(GITHUB) },
  { name: 'github canary prod elsewhere', project: projectFor({ ...GITHUB, prodDeployment: 'Canary10Percent5Minutes', prodAccountId: PROD_ACCOUNT }) },
  { name: 'github beta only', project: projectFor({ ...GITHUB, production: false }) },
  { name: 'github three stages and a wave', project: threeStages(GITHUB) },
  { name: 'github stages example (canary wave)', project: stagesExample(GITHUB) },
  { name: 'gitlab', project: projectFor(GITLAB) },
  { name: 'gitlab three stages and a wave', project: threeStages(GITLAB) },
  { name: 'gitlab stages example (canary wave)', project: stagesExample(GITLAB) },
];

describe('the ci answer', () => {
  it('codepipeline is the default and is not saved: a repository generated before ci existed is unchanged', () => {
    const { answers } = finishAnswers(mergeAnswers({ flags: { appName: 'orders' } }, {}));
    assert.equal(answers.ci, 'codepipeline');
    assert.equal('ci' in savedForm(answers), false);
    const files = newRepositoryFiles({});
    assert.ok(files.has('pipeline.json') && files.has('buildspec.yml'));
    assert.ok(![...files.keys()].some((path) => path.startsWith('.github/') || path === 'ci-access.json' || path === '.gitlab-ci.yml' || path === 'scripts/deploy_stage.sh'));
    // A .yo-rc.json without ci replays as codepipeline, saved (not asked again).
    const replay = mergeAnswers({ saved: savedForm(answers) }, {});
    assert.equal(replay.known.ci, 'codepipeline');
    assert.ok(replay.given.has('ci'));
  });

  it('an external CI is saved, and leaves out CodePipeline, the connection and CodeCommit', () => {
    const project = projectFor(GITHUB);
    assert.equal(savedForm(project).ci, 'github-actions');
    assert.equal(project.source, undefined);
    assert.equal(project.remoteUrl, 'https://github.com/acme/orders.git');
    const files = newRepositoryFiles(GITHUB);
    for (const path of ['pipeline.json', 'buildspec.yml', 'buildspec-integration.yml', 'target-account.json']) assert.ok(!files.has(path), path);
    for (const path of ['ci-access.json', '.github/workflows/release.yml', 'scripts/deploy_stage.sh', 'scripts/check_deploy_role.py']) assert.ok(files.has(path), path);
    const makefile = files.get('Makefile')!;
    assert.match(makefile, /^ci-access: ##/m);
    assert.doesNotMatch(makefile, /^(deploy|status|destroy|target-account):/m);
    assert.doesNotMatch(makefile, /codecommit|pipeline\.json/);
    assert.ok(newRepositoryFiles(GITLAB).has('.gitlab-ci.yml'));
  });

  it('refuses what does not apply or does not fit the host (exit 2, the rule named)', () => {
    const cwd = tempDir('ci-bad-');
    try {
      const bad = runCli(['--app-name', 'orders', '--defaults', '--skip-install', '--skip-git', '--ci', 'github-actions', '--repository', 'a/b/c'], cwd);
      assert.equal(bad.status, 2, bad.stderr);
      assert.match(bad.stderr, /repository "a\/b\/c" is invalid: must be "owner\/repo" for a github source/);
      const missing = runCli(['--app-name', 'orders', '--defaults', '--skip-install', '--skip-git', '--ci', 'gitlab-ci'], cwd);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /missing answer: repository/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('ci-access.json', () => {
  const dir = tempDir('ci-access-');
  after(() => rmSync(dir, { recursive: true, force: true }));
  let findings = new Map<string, string>();
  before(async () => {
    const paths = VARIANTS.map(({ name, project }) => {
      const path = join(dir, `${name.replace(/\W+/g, '-')}.json`);
      writeFileSync(path, templateText(ciAccessTemplate(project)));
      return path;
    });
    findings = await cfnLint(paths);
  });

  it('cfn-lint reports nothing for every variant', () => {
    const dirty = [...findings].filter(([, text]) => text !== '');
    assert.equal(findings.size, VARIANTS.length);
    assert.deepEqual(dirty, []);
  });

  for (const rule of SECURITY_RULES) {
    it(`security rule ${rule.id}`, () => {
      for (const { name, project } of VARIANTS) assert.deepEqual(rule.check(ciAccessTemplate(project) as unknown as CfnTemplate), [], name);
    });
  }

  it('the trust rule catches a wildcard subject and an unchecked audience', () => {
    const template = ciAccessTemplate(projectFor(GITHUB)) as unknown as CfnTemplate;
    const trust = SECURITY_RULES.find((rule) => rule.id.startsWith('IAM_TRUST_POLICY'))!;
    const condition = objectAt(objectAt(asList(objectAt(objectAt(template.Resources.BetaCiRole.Properties).AssumeRolePolicyDocument).Statement)[0]).Condition);
    const equals = objectAt(condition.StringEquals);
    equals['token.actions.githubusercontent.com:sub'] = 'repo:acme/orders:*';
    assert.match(trust.check(template).join(), /BetaCiRole: OIDC trust policy the subject \(sub\) is not one exact value/);
    delete equals['token.actions.githubusercontent.com:aud'];
    assert.match(trust.check(template).join(), /audience \(aud\) is not checked/);
  });
});

/** The trust policy of a CI role as an IAM statement: who may call sts:AssumeRoleWithWebIdentity with which token. */
function trustStatement(template: CfnTemplate, roleId: string): IamStatement {
  const raw = objectAt(asList(objectAt(objectAt(template.Resources[roleId].Properties).AssumeRolePolicyDocument).Statement)[0]);
  const equals = objectAt(objectAt(raw.Condition).StringEquals) as Record<string, string>;
  return {
    Effect: 'Allow', Action: asList(raw.Action).map(String), Resource: ['*'],
    Condition: { StringEquals: Object.fromEntries(Object.entries(equals).map(([key, value]) => [key, [value]])) },
  };
}

describe('IAM evaluation of the CI roles', () => {
  const stackArn = (name: string) => `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/0b1c2d3e`;

  for (const { name, project } of VARIANTS) {
    it(`${name}: each role may do what its deploy job calls, on its own stage only`, () => {
      const template = ciAccessTemplate(project) as unknown as CfnTemplate;
      const targets = ciTargets(project);
      for (const target of targets) {
        const statements = roleStatements(template, target.ids.ciRole);
        const deployRole = pipelineRoleArn(target.ids.deployRole);
        const bucket = 'arn:aws:s3:::app-bucket-1a2b3c4d';
        // Every call scripts/deploy_stage.sh makes (aws cloudformation package/create-change-set/wait/execute).
        const calls = [
          { action: 'cloudformation:DescribeStacks', resource: stackArn(STACK_NAME) },
          { action: 's3:GetObject', resource: `${bucket}/${target.stage.name}/0a1b2c3d` },
          { action: 's3:PutObject', resource: `${bucket}/${target.stage.name}/0a1b2c3d` },
          ...['DescribeStacks', 'CreateChangeSet', 'DescribeChangeSet', 'ExecuteChangeSet', 'DeleteChangeSet', 'DescribeStackEvents']
            .map((action) => ({ action: `cloudformation:${action}`, resource: stackArn(target.stack.value) })),
          { action: 'cloudformation:CreateChangeSet', resource: `arn:aws:cloudformation:${REGION}:aws:transform/Serverless-2016-10-31` },
          { action: 'iam:PassRole', resource: deployRole, context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
        ];
        for (const call of calls) assert.ok(allows(statements, call), `${target.target.id} may not ${call.action} on ${call.resource}`);
        assert.ok(!allows(statements, { action: 'iam:PassRole', resource: deployRole, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }));
        assert.ok(!allows(statements, { action: 'cloudformation:DeleteStack', resource: stackArn(target.stack.value) }));
        for (const other of targets.filter((t) => t.stage !== target.stage)) {
          for (const action of ['CreateChangeSet', 'ExecuteChangeSet']) {
            assert.ok(!allows(statements, { action: `cloudformation:${action}`, resource: stackArn(other.stack.value) }), `${target.target.id} may ${action} ${other.stack.value}`);
          }
          assert.ok(!allows(statements, { action: 's3:PutObject', resource: `${bucket}/${other.stage.name}/0a1b2c3d` }));
          assert.ok(!allows(statements, { action: 'iam:PassRole', resource: pipelineRoleArn(other.ids.deployRole), context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } }));
        }
      }
    });

    it(`${name}: each role is assumable only by this repository's release job of its stage`, () => {
      const template = ciAccessTemplate(project) as unknown as CfnTemplate;
      const github = project.externalCi === 'github-actions';
      const issuer = github ? 'token.actions.githubusercontent.com' : 'gitlab.com';
      const token = (sub: string, aud = 'sts.amazonaws.com') => ({ action: 'sts:AssumeRoleWithWebIdentity', resource: '*', context: { [`${issuer}:sub`]: sub, [`${issuer}:aud`]: aud } });
      for (const target of ciTargets(project)) {
        const trust = [trustStatement(template, target.ids.ciRole)];
        const own = github ? `repo:acme/orders:environment:${target.stage.name}` : 'project_path:acme/platform/orders:ref_type:branch:ref:main';
        assert.ok(allows(trust, token(own)), `${target.target.id} refuses its own job ${own}`);
        assert.ok(!allows(trust, token(own, 'https://example.com')), 'another audience');
        const strangers = github
          ? ['repo:acme/orders-fork:environment:' + target.stage.name, 'repo:acme/orders:pull_request', 'repo:acme/orders:ref:refs/heads/main',
              ...project.release.stages.filter((s) => s.name !== target.stage.name).map((s) => `repo:acme/orders:environment:${s.name}`)]
          : ['project_path:acme/platform/orders:ref_type:branch:ref:feature', 'project_path:acme/other:ref_type:branch:ref:main',
              'project_path:acme/platform/orders:ref_type:tag:ref:main'];
        for (const sub of strangers) assert.ok(!allows(trust, token(sub)), `${target.target.id} trusts ${sub}`);
        // GitHub before an approval: the review role trusts the release branch's jobs, and nothing else.
        if (target.reviewRole) {
          const review = [trustStatement(template, target.reviewRole.id)];
          assert.ok(allows(review, token('repo:acme/orders:ref:refs/heads/main')), target.reviewRole.id);
          for (const sub of ['repo:acme/orders:ref:refs/heads/feature', 'repo:acme/orders:pull_request', 'repo:acme/orders-fork:ref:refs/heads/main', `repo:acme/orders:environment:${target.stage.name}`]) {
            assert.ok(!allows(review, token(sub)), `${target.reviewRole.id} trusts ${sub}`);
          }
        }
      }
      assert.equal(ciTargets(project).some((target) => target.reviewRole), github && project.release.stages.some((stage) => stage.approval), 'a review role exactly for GitHub approvals');
    });
  }
});

// ---- GitHub Actions: the parser GitHub's own editor tooling uses ---------------------------------------------------

// The parser imports its JSON schema without an import attribute, which Node 20 requires: add it for .json modules.
register(`data:text/javascript,${encodeURIComponent('export async function load(url, context, next) { return next(url, url.endsWith(".json") ? { ...context, importAttributes: { type: "json" } } : context); }')}`);

async function parseWithGitHub(text: string): Promise<{ errors: string[]; jobs: { id: string; needs: string[]; environment?: unknown; if?: string }[] }> {
  const parser = await import('@actions/workflow-parser');
  const result = parser.parseWorkflow({ name: 'release.yml', content: text }, new parser.NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((error) => error.message);
  if (!result.value || errors.length > 0) return { errors, jobs: [] };
  const template = await parser.convertWorkflowTemplate(result.context, result.value);
  const jobs = (template.jobs ?? []).map((job) => {
    const record = job as unknown as { id: { value: string }; needs?: { value: string }[]; environment?: unknown; if?: { expr: string } };
    return { id: record.id.value, needs: (record.needs ?? []).map((need) => need.value), environment: record.environment, if: record.if?.expr };
  });
  return { errors: [...errors, ...(template.errors ?? []).map((error) => error.Message)], jobs };
}

describe('.github/workflows/release.yml', () => {
  const github = VARIANTS.filter(({ project }) => project.externalCi === 'github-actions');

  it('GitHub\'s workflow parser finds no error in any variant, and does find one in a broken workflow', async () => {
    for (const { name, project } of github) assert.deepEqual((await parseWithGitHub(releaseWorkflowText(project))).errors, [], name);
    const broken = releaseWorkflowText(projectFor(GITHUB)).replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    bogus-key: 1');
    assert.notDeepEqual((await parseWithGitHub(broken)).errors, []);
  });

  for (const { name, project } of github) {
    it(`${name}: jobs in stage order, least privilege, pinned actions, a concurrency that never cancels a deploy`, async () => {
      const text = releaseWorkflowText(project);
      const parsed = await parseWithGitHub(text);
      const workflow = parseYaml(text) as { permissions: unknown; concurrency: Record<string, string>; on: Record<string, unknown>; jobs: Record<string, Record<string, unknown>> };
      // Stage order: a stage's reviews need the job before the stage, its gate the reviews, its deploy both, its tests
      // the deploy; a stage without a review deploys after the job before it.
      const expected: { id: string; needs: string[]; environment?: string }[] = [{ id: 'unit-tests', needs: [] }, { id: 'package', needs: ['unit-tests'] }];
      let previous = 'package';
      for (const stage of ciStages(project)) {
        const reviews = stage.targets[0].review === 'none' ? [] : stage.targets.map((target) => (stage.targets.length > 1 ? `review-${stage.name}-${target.target.id}` : `review-${stage.name}`));
        const gate = reviews.length > 0 && !stage.approval ? [`approve-${stage.name}-iam`] : [];
        // Before an approval the review signs in outside the environment (its reviewers approve the deploy, after it).
        for (const review of reviews) expected.push({ id: review, needs: [previous], ...(stage.approval ? {} : { environment: stage.name }) });
        for (const id of gate) expected.push({ id, needs: reviews, environment: `${stage.name}-iam` });
        expected.push({ id: `deploy-${stage.name}`, needs: reviews.length > 0 ? [...reviews, ...gate] : [previous], environment: stage.name });
        previous = `deploy-${stage.name}`;
        if (stage.tests) {
          expected.push({ id: `integration-tests-${stage.name}`, needs: [previous] });
          previous = `integration-tests-${stage.name}`;
        }
      }
      assert.deepEqual(parsed.jobs.map((job) => [job.id, job.needs]), expected.map((job) => [job.id, job.needs]));
      // Pull requests run the unit tests only: every other job is for pushes.
      assert.deepEqual(Object.keys(workflow.on).sort(), ['pull_request', 'push']);
      for (const job of parsed.jobs.slice(1)) assert.match(job.if ?? '', /github\.event_name == 'push'/, job.id);
      assert.equal(parsed.jobs[0].if, 'success()');
      // No permissions by default; id-token: write exactly on the jobs that sign in; each job in its environment.
      assert.deepEqual(workflow.permissions, {});
      for (const [id, job] of Object.entries(workflow.jobs)) {
        const signsIn = (job.steps as Record<string, string>[]).some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
        assert.equal(objectAt(job.permissions)['id-token'] === 'write', signsIn, id);
        assert.equal(id.startsWith('deploy-') || id.startsWith('review-'), signsIn, id);
        assert.equal(job.environment, expected.find((entry) => entry.id === id)!.environment, id);
      }
      // A skipped gate would skip every later job under GitHub's implicit success(): from the first gate on, each job
      // states its own condition: not cancelled, each direct need succeeded (the gate: or skipped).
      const firstGate = parsed.jobs.findIndex((job) => job.id.endsWith('-iam'));
      for (const job of firstGate < 0 ? [] : parsed.jobs.slice(firstGate + 1)) {
        const condition = String(workflow.jobs[job.id].if);
        assert.match(condition, /^\$\{\{ !cancelled\(\) && github\.event_name == 'push' && /, job.id);
        for (const need of job.needs) {
          assert.ok(condition.includes(need.endsWith('-iam') ? `(needs.${need}.result == 'success' || needs.${need}.result == 'skipped')` : `needs.${need}.result == 'success'`), `${job.id} after ${need}: ${condition}`);
        }
      }
      // A deploy after a review executes what the review created; a skipped gate (nothing widens) lets it run.
      for (const stage of ciStages(project).filter((s) => s.targets[0].review !== 'none')) {
        const deploy = workflow.jobs[`deploy-${stage.name}`];
        assert.match(String(deploy.if), /^\$\{\{ !cancelled\(\) && github\.event_name == 'push' && needs\.review-/);
        if (!stage.approval) assert.match(String(deploy.if), new RegExp(`needs\\.approve-${stage.name}-iam\\.result == 'skipped'`));
        assert.match((deploy.steps as { run?: string }[]).map((step) => step.run ?? '').join(''), /DEPLOY_STEP=execute bash scripts\/deploy_stage\.sh/);
      }
      // A wave is a matrix over its targets, each signing in to its own account's role.
      for (const stage of project.release.stages.filter((s) => s.targets.length > 1)) {
        const include = objectAt(objectAt(workflow.jobs[`deploy-${stage.name}`].strategy).matrix).include as Record<string, string>[];
        assert.deepEqual(include.map((entry) => entry.id), stage.targets.map((target) => target.id));
        assert.ok(include.every((entry, index) => entry.role.includes(`:${stage.targets[index].accountId}:role/`)));
      }
      // Every action pinned to a full commit SHA, its version in a comment.
      const uses = text.split('\n').filter((line) => /^\s*(- )?uses: /.test(line));
      assert.ok(uses.length > 0);
      for (const line of uses) assert.match(line, /uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
      assert.deepEqual(new Set(uses.map((line) => line.replace(/^.*uses: ([^@]+)@.*$/, '$1'))), new Set(Object.values(ACTIONS).map((action) => action.uses)));
      // A run in progress on the branch is never cancelled (only pull requests' are).
      assert.equal(workflow.concurrency['cancel-in-progress'], "${{ github.event_name == 'pull_request' }}");
      assert.match(workflow.concurrency.group, /github\.ref/);
      // The pip cache on every job that installs Python.
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps as Record<string, unknown>[]) {
          if (String(step.uses ?? '').startsWith('actions/setup-python@')) assert.equal(objectAt(step.with).cache, 'pip');
        }
      }
    });
  }

  it('the deploy commands are CodePipeline\'s: chalice package --stage, the check, the deploy script with the deploy role', () => {
    const workflow = releaseWorkflow(threeStages(GITHUB)) as { jobs: Record<string, { steps: { run?: string }[] }> };
    const runs = (job: string) => workflow.jobs[job].steps.map((step) => step.run ?? '').join('\n');
    for (const stage of ['beta', 'staging', 'prod']) {
      assert.match(runs('package'), new RegExp(`chalice package --stage ${stage} build/${stage}\\npython scripts/check_deploy_role.py build/${stage}/sam.json`));
    }
    assert.match(runs('deploy-prod'), /Prod222222222222EuWest1\) DEPLOY_STEP=execute bash scripts\/deploy_stage\.sh prod ordersProdStack orders-Prod222222222222EuWest1-ci-access Prod222222222222EuWest1DeployRoleArn ;;/);
    assert.match(runs('review-prod-Prod222222222222EuWest1'), /^DEPLOY_STEP=review bash scripts\/deploy_stage\.sh prod ordersProdStack orders-Prod222222222222EuWest1-ci-access Prod222222222222EuWest1DeployRoleArn$/m);
    assert.match(runs('integration-tests-staging'), /python -m pytest tests\/integration/);
  });
});

describe('.gitlab-ci.yml', () => {
  for (const { name, project } of VARIANTS.filter((v) => v.project.externalCi === 'gitlab-ci')) {
    it(`${name}: ID tokens only on deploy jobs, an environment per stage, approvals as manual jobs, merge requests run unit tests only`, () => {
      const ci = gitlabCi(project) as Record<string, Record<string, unknown>>;
      const jobs = Object.entries(ci).filter(([, value]) => objectAt(value).script !== undefined);
      const workflowRules = asList(objectAt(ci.workflow).rules).map((rule) => String(objectAt(rule).if));
      assert.deepEqual(workflowRules, ['$CI_PIPELINE_SOURCE == "merge_request_event"', '$CI_COMMIT_BRANCH == "main" && ($CI_PIPELINE_SOURCE == "push" || $CI_PIPELINE_SOURCE == "web")']);
      for (const [id, job] of jobs) {
        const deploys = id.startsWith('deploy-');
        const reviews = id.startsWith('review-');
        assert.equal(job.id_tokens !== undefined, deploys || reviews, id);
        if (deploys || reviews) {
          assert.deepEqual(objectAt(job.id_tokens).AWS_ID_TOKEN, { aud: 'sts.amazonaws.com' });
          const stage = project.release.stages.find((s) => id.endsWith(`-${s.name}`) || id.includes(`-${s.name}-`))!;
          // The review prepares the environment (no deployment recorded), the deploy starts it.
          assert.deepEqual(job.environment, { name: stage.name, action: reviews ? 'prepare' : 'start' });
          const rule = objectAt(asList(job.rules)[0]);
          assert.equal(rule.when === 'manual', deploys && stage.approval, id);
          if (deploys && stage.approval) assert.equal(rule.allow_failure, false);
          // Without an approval the review fails the release when IAM widens (the gate); a deploy executes the review's change set.
          if (reviews) assert.equal(objectAt(job.variables).FAIL_ON_WIDENING, stage.approval ? undefined : 'true', id);
          if (deploys && project.approveBroadening) assert.deepEqual(asList(job.needs), [{ job: id.replace(/^deploy-/, 'review-'), artifacts: true }], id);
        }
        // Only the unit tests run on a merge request (no rule of the other jobs matches it).
        if (id !== 'unit-tests') assert.ok(asList(job.rules).every((rule) => !String(objectAt(rule).if).includes('merge_request')), id);
      }
      assert.equal(objectAt(ci['unit-tests']).rules, undefined);
      // Every job spelled out: no YAML anchors or aliases for a reader to follow.
      assert.doesNotMatch(gitlabCiText(project), /(^|\s)[&*]a\d+(\s|$)/m);
    });
  }
});

describe('role names at the longest app name', () => {
  it('every role ci-access.json names fits IAM\'s 64 characters, and the workflow signs in to exactly those names', () => {
    const answers = { ...GITHUB, appName: LONGEST_APP_NAME, region: 'us-east-1', stages: [{ name: 'dev' }, { name: 'prod', approval: true, targets: [{ region: 'eu-west-1' }, { region: 'ap-southeast-2' }] }] };
    const project = projectFor(answers);
    const template = ciAccessTemplate(project) as unknown as CfnTemplate;
    const names = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role').map((r) => objectAt(r.Properties).RoleName).filter((n) => typeof n === 'string') as string[];
    assert.ok(names.length >= 5, names.join(', '));
    for (const name of names) assert.ok(name.length <= 64, `${name}: ${name.length} characters`);
    const text = releaseWorkflowText(project);
    const assumed = [...text.matchAll(/role-to-assume: arn:aws:iam::[^:]+:role\/(\S+)/g)].map((m) => m[1]);
    assert.ok(assumed.length > 0);
    for (const name of assumed) assert.ok(names.includes(name), name);
    const matrixRoles = [...text.matchAll(/role: arn:aws:iam::[^:]+:role\/(\S+)/g)].map((m) => m[1]);
    for (const name of matrixRoles) assert.ok(names.includes(name), name);
  });
});

describe('the sub-generator with an external CI', () => {
  it('adds the workflow next to the team\'s other workflows (untouched), and a switch names what is no longer used', () => {
    const cwd = tempDir('ci-switch-');
    try {
      const first = runCli(['--app-name', 'orders', '--defaults', '--skip-install', '--skip-git'], cwd);
      assert.equal(first.status, 0, first.stderr);
      const repo = join(cwd, 'orders');
      const other = 'name: lint\non: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n';
      mkdirSync(join(repo, '.github/workflows'), { recursive: true });
      writeFileSync(join(repo, '.github/workflows/lint.yml'), other);
      const before = readTree(repo);
      const switched = runCli(['pipeline', '--skip-install', '--skip-git', '--ci', 'github-actions', '--repository', 'acme/orders'], repo);
      assert.equal(switched.status, 0, switched.stderr);
      const unused = (stdout: string) => /no longer used by the pipeline, kept: ([^(]*)/.exec(stdout)?.[1].trim().split(', ') ?? [];
      assert.deepEqual(unused(switched.stdout), ['buildspec-integration.yml', 'buildspec.yml', 'pipeline.json']);
      assert.match(switched.stdout, /the pipeline stack orders-pipeline still runs the old release: once \.github\/workflows\/release\.yml has released, delete it/);
      assert.equal(readFileSync(join(repo, '.github/workflows/lint.yml'), 'utf8'), other);
      assert.ok(existsSync(join(repo, '.github/workflows/release.yml')) && existsSync(join(repo, 'ci-access.json')));
      assert.equal(readFileSync(join(repo, 'pipeline.json'), 'utf8'), before.get('pipeline.json'));
      // Back on CodePipeline the code stays on GitHub: through a connection.
      const back = runCli(['pipeline', '--skip-install', '--skip-git', '--ci', 'codepipeline', '--source', 'github'], repo);
      assert.equal(back.status, 0, back.stderr);
      assert.deepEqual(unused(back.stdout), ['scripts/deploy_stage.sh', 'ci-access.json', '.github/workflows/release.yml']);
      assert.match(back.stdout, /the ci-access\.json stacks in the target accounts are no longer used/);
      assert.equal(readFileSync(join(repo, '.github/workflows/lint.yml'), 'utf8'), other);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

// ---- scripts/deploy_stage.sh against a stand-in aws: the calls it makes are exactly what the CI role allows -------

/** A stand-in `aws` logging each call; SCENARIO picks a new stack, an update without changes, or a failed deploy. */
const FAKE_AWS = `#!/bin/bash
echo "$*" >> "$AWS_LOG"
case "$*" in
  *"--query Stacks[0].Outputs[?OutputKey=='PackageBucket'].OutputValue"*) echo app-bucket-1a2b3c4d ;;
  *"DeployRoleArn'].OutputValue"*) echo "$DEPLOY_ROLE" ;;
  *"OutputKey=='EndpointURL'"*) echo https://abc123.execute-api.us-east-1.amazonaws.com/api/ ;;
  "cloudformation package"*) all="$*"; out="\${all##*--output-template-file }"; head -c "\${TEMPLATE_BYTES:-2000}" /dev/zero | tr '\\0' x > "\${out%% *}" ;;
  *"--query Stacks[0].StackStatus"*)
    if [ "$SCENARIO" = new ]; then echo "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id ordersBetaStack does not exist" >&2; exit 255; fi
    echo UPDATE_COMPLETE ;;
  "cloudformation wait change-set-create-complete"*) [ "$SCENARIO" != unchanged ] || exit 255 ;;
  "cloudformation describe-change-set"*"--query StatusReason"*) echo "The submitted information didn't contain changes. Submit different information to create a change set." ;;
  "cloudformation describe-change-set"*) cat "$FAKE_DIR/change-set.json" ;;
  "cloudformation get-template"*"--change-set-name"*) cat "$FAKE_DIR/new.json" ;;
  "cloudformation get-template"*) cat "$FAKE_DIR/deployed.json" ;;
  "cloudformation wait stack-"*) [ "$SCENARIO" != failed ] || exit 255 ;;
  "cloudformation describe-stack-events"*) printf '2026-12-06T21:00:00Z\\tAPIHandler\\tUPDATE_FAILED\\tResource handler returned message: "Memory size 20000 is out of range"\\n' ;;
esac
`;

/** The IAM request a logged aws call makes (the stack named by the access stack resolves as the role's own stack). */
function iamRequests(line: string, accessStack: string): { action: string; resource: string; context?: Record<string, string> }[] {
  const option = (name: string) => new RegExp(`--${name} (\\S+)`).exec(line)?.[1] ?? '';
  const stackName = option('stack-name') === accessStack ? STACK_NAME : option('stack-name');
  const stack = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/0b1c2d3e`;
  const verb = line.split(' ').slice(0, 3).join(' ');
  if (line.startsWith('s3 cp ')) {
    const [bucket, ...key] = line.split(' ').at(-1)!.replace('s3://', '').split('/');
    return [{ action: 's3:PutObject', resource: `arn:aws:s3:::${bucket}/${key.join('/')}` }];
  }
  if (verb.startsWith('cloudformation package')) {
    const object = `arn:aws:s3:::${option('s3-bucket')}/${option('s3-prefix')}/5f4dcc3b`;
    return [{ action: 's3:GetObject', resource: object }, { action: 's3:PutObject', resource: object }];
  }
  if (verb.startsWith('cloudformation create-change-set')) {
    return [
      { action: 'cloudformation:CreateChangeSet', resource: stack },
      { action: 'cloudformation:CreateChangeSet', resource: `arn:aws:cloudformation:${REGION}:aws:transform/Serverless-2016-10-31` },
      { action: 'iam:PassRole', resource: option('role-arn'), context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    ];
  }
  const actions: Record<string, string> = {
    'cloudformation describe-stacks': 'DescribeStacks', 'cloudformation wait change-set-create-complete': 'DescribeChangeSet',
    'cloudformation describe-change-set': 'DescribeChangeSet', 'cloudformation execute-change-set': 'ExecuteChangeSet',
    'cloudformation wait stack-create-complete': 'DescribeStacks', 'cloudformation wait stack-update-complete': 'DescribeStacks',
    'cloudformation describe-stack-events': 'DescribeStackEvents', 'cloudformation delete-change-set': 'DeleteChangeSet',
    'cloudformation get-template': 'GetTemplate',
  };
  const action = actions[verb] ?? actions[line.split(' ').slice(0, 2).join(' ')];
  if (!action) throw new Error(`no IAM request known for the call: aws ${line}`);
  return [{ action: `cloudformation:${action}`, resource: stack }];
}

/** Runs release job commands one after another in one folder, as the CI runs a stage's jobs, with the stand-in aws. */
function runJobs(files: Map<string, string>, stage: string, jobs: { command: string; env?: Record<string, string> }[], scenario: string, stack: Record<string, unknown> = {}) {
  const dir = tempDir('deploy-stage-');
  mkdirSync(join(dir, 'scripts'));
  for (const path of ['scripts/deploy_stage.sh', 'scripts/review_changes.py']) writeFileSync(join(dir, path), files.get(path)!);
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'aws'), FAKE_AWS, { mode: 0o755 });
  // `python` as the CI images have it.
  writeFileSync(join(dir, 'bin', 'python'), '#!/bin/sh\nexec python3 "$@"\n', { mode: 0o755 });
  mkdirSync(join(dir, 'build', stage), { recursive: true });
  for (const [name, value] of Object.entries(stack)) writeFileSync(join(dir, `${name}.json`), JSON.stringify(value));
  const log = join(dir, 'aws.log');
  const results = jobs.map(({ command, env }) => {
    writeFileSync(log, '');
    const result = spawnSync('bash', ['-c', command], {
      cwd: dir, encoding: 'utf8',
      env: {
        PATH: `${join(dir, 'bin')}:${process.env.PATH}`, AWS_LOG: log, FAKE_DIR: dir, SCENARIO: scenario, GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '1',
        AWS_REGION: 'us-east-1', TEMPLATE_BYTES: scenario === 'large' ? '51201' : '51200', ...env,
      },
    });
    return { ...result, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
  });
  const read = (path: string) => (existsSync(join(dir, path)) ? readFileSync(join(dir, path), 'utf8') : undefined);
  const outcome = { results, endpoint: read(`build/${stage}/endpoint.env`), state: read(`build/${stage}/change-set.env`), summary: read('summary.md'), output: read('output.txt') };
  rmSync(dir, { recursive: true, force: true });
  return outcome;
}

/** The step of a workflow job that runs scripts/deploy_stage.sh (the job's other steps are actions and installs). */
const jobCommand = (workflow: unknown, job: string) => (workflow as { jobs: Record<string, { steps: { run?: string }[] }> }).jobs[job].steps.find((step) => step.run?.includes('scripts/deploy_stage.sh'))!.run!;

describe('scripts/deploy_stage.sh', () => {
  // No review: the deploy job creates and executes at once.
  const answers = { ...GITHUB, approveBroadening: false, manualApproval: false };
  const project = projectFor(answers);
  const files = newRepositoryFiles(answers);
  const template = ciAccessTemplate(project) as unknown as CfnTemplate;
  const beta = ciTargets(project)[0];
  const deployRole = pipelineRoleArn(beta.ids.deployRole);
  const command = jobCommand(releaseWorkflow(project), 'deploy-beta');

  // Each scenario runs once (a few seconds on a busy machine); its tests read the same run.
  const runs = new Map<string, ReturnType<typeof deployOnce>>();
  const deploy = (scenario: string) => runs.get(scenario) ?? runs.set(scenario, deployOnce(scenario)).get(scenario)!;
  const deployOnce = (scenario: string) => {
    const { results: [result], endpoint } = runJobs(files, 'beta', [{ command, env: { DEPLOY_ROLE: deployRole } }], scenario);
    return { ...result, endpoint };
  };

  for (const scenario of ['new', 'unchanged', 'failed', 'large']) {
    it(`${scenario}: every call it makes is allowed to the stage's CI role, and nothing else stage's`, () => {
      const result = deploy(scenario);
      const statements = roleStatements(template, beta.ids.ciRole);
      const prodStatements = roleStatements(template, ciTargets(project)[1].ids.ciRole);
      for (const call of result.calls) {
        for (const request of iamRequests(call, beta.accessStack)) {
          assert.ok(allows(statements, request), `the beta CI role may not ${request.action} on ${request.resource} (aws ${call})`);
          // The prod role cannot do beta's writes (the SAM transform is AWS's, the same for every stage).
          if (!request.action.startsWith('cloudformation:Describe') && request.action !== 's3:GetObject' && !request.resource.includes(':transform/')) {
            assert.ok(!allows(prodStatements, request), `the prod CI role may ${request.action} on ${request.resource}`);
          }
        }
      }
    });
  }

  it('a new stack: package, change set (CREATE) with the deploy role, execute, wait, then the EndpointURL for the tests', () => {
    const result = deploy('new');
    assert.equal(result.status, 0, result.stderr);
    const verbs = result.calls.map((call) => call.split(' --')[0]);
    assert.deepEqual(verbs, [
      'cloudformation describe-stacks', 'cloudformation describe-stacks', 'cloudformation package', 'cloudformation describe-stacks',
      'cloudformation create-change-set', 'cloudformation wait change-set-create-complete', 'cloudformation execute-change-set',
      'cloudformation wait stack-create-complete', 'cloudformation describe-stacks',
    ]);
    const create = result.calls.find((call) => call.startsWith('cloudformation create-change-set'))!;
    assert.match(create, /--change-set-type CREATE /);
    assert.match(create, new RegExp(`--role-arn ${deployRole}`));
    assert.match(create, /--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND/);
    assert.match(result.calls.find((call) => call.startsWith('cloudformation package'))!, /--template-file build\/beta\/sam\.json --s3-bucket app-bucket-1a2b3c4d --s3-prefix beta /);
    assert.equal(result.endpoint, 'ENDPOINT_URL=https://abc123.execute-api.us-east-1.amazonaws.com/api/\n');
  });

  it('a template over CloudFormation\'s 51,200 inline bytes goes through the stage\'s prefix of the package bucket', () => {
    const result = deploy('large');
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.calls.includes('s3 cp --only-show-errors build/beta/packaged.yaml s3://app-bucket-1a2b3c4d/beta/templates/release-42-1.yaml'));
    assert.match(result.calls.find((call) => call.startsWith('cloudformation create-change-set'))!, /--template-url https:\/\/app-bucket-1a2b3c4d\.s3\.us-east-1\.amazonaws\.com\/beta\/templates\/release-42-1\.yaml /);
    assert.match(deploy('new').calls.find((call) => call.startsWith('cloudformation create-change-set'))!, /--template-body file:\/\/build\/beta\/packaged\.yaml /);
  });

  it('no changes: the change set is deleted and the job stays green', () => {
    const result = deploy('unchanged');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /ordersBetaStack: no changes/);
    assert.ok(result.calls.some((call) => call.startsWith('cloudformation delete-change-set')));
    assert.ok(!result.calls.some((call) => call.startsWith('cloudformation execute-change-set')));
  });

  it('a failed deploy ends red with CloudFormation\'s reason in the log', () => {
    const result = deploy('failed');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /deploying ordersBetaStack failed; CloudFormation rolls it back/);
    assert.match(result.stderr, /APIHandler\tUPDATE_FAILED\tResource handler returned message: "Memory size 20000 is out of range"/);
    assert.match(result.calls.find((call) => call.startsWith('cloudformation create-change-set'))!, /--change-set-type UPDATE /);
  });
});

// ---- the review before a change ships: create and review, approve (or the gate), execute ---------------------

describe('scripts/deploy_stage.sh: the review job, then the deploy job executing what it reviewed', () => {
  const deployed = {
    Resources: {
      DefaultRole: {
        Type: 'AWS::IAM::Role',
        Properties: { Policies: [{ PolicyName: 'app', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: '*' }] } }] },
      },
    },
  };
  const widened = structuredClone(deployed);
  widened.Resources.DefaultRole.Properties.Policies[0].PolicyDocument.Statement[0].Action.push('dynamodb:DeleteItem');
  const changeSet = {
    ChangeSetName: 'release-42-1', Status: 'CREATE_COMPLETE', StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/ordersBetaStack/0b1c',
    Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'DefaultRole', ResourceType: 'AWS::IAM::Role', Replacement: 'False', Scope: ['Properties'] } }],
  };
  const body = (template: unknown) => ({ TemplateBody: template, StagesAvailable: ['Original', 'Processed'] });
  const stack = (after: unknown) => ({ deployed: body(deployed), new: body(after), 'change-set': changeSet });
  const github = { GITHUB_STEP_SUMMARY: 'summary.md', GITHUB_OUTPUT: 'output.txt' };

  /** Every call of a job is allowed to the role it signs in as (the bucket and deploy role: the access stack's outputs). */
  const assertAllowed = (statements: IamStatement[], calls: string[], accessStack: string, who: string) => {
    for (const call of calls) for (const request of iamRequests(call, accessStack)) assert.ok(allows(statements, request), `${who} may not ${request.action} on ${request.resource} (aws ${call})`);
  };

  it('GitHub, beta (the broadening gate): the review as its CI role writes the job summary and iam_widens; the deploy executes that change set', () => {
    const project = projectFor(GITHUB);
    const workflow = releaseWorkflow(project);
    const beta = ciTargets(project)[0];
    const env = { ...github, DEPLOY_ROLE: pipelineRoleArn(beta.ids.deployRole) };
    const run = runJobs(newRepositoryFiles(GITHUB), 'beta', [{ command: jobCommand(workflow, 'review-beta'), env }, { command: jobCommand(workflow, 'deploy-beta'), env }], 'update', stack(widened));
    const [review, execute] = run.results;
    assert.equal(review.status, 0, review.stderr);
    assert.equal(execute.status, 0, execute.stderr);
    assert.match(run.summary!, /^### ordersBetaStack: 1 modified, 0 replaced; IAM widens: DefaultRole may dynamodb:DeleteItem on \*\n\n```\nReview of build\/beta\/new\.json/);
    assert.match(run.output!, /^iam_widens=true\nsummary=1 modified, 0 replaced; IAM widens: DefaultRole may dynamodb:DeleteItem on \*\n$/);
    assert.equal(run.state, 'CHANGE_SET=release-42-1\nTYPE=UPDATE\nCHANGES=yes\nIAM_WIDENS=true\n');
    assert.ok(!review.calls.some((call) => call.startsWith('cloudformation execute-change-set')), 'the review executes nothing');
    assert.deepEqual(execute.calls.map((call) => call.split(' --')[0]), ['cloudformation execute-change-set', 'cloudformation wait stack-update-complete', 'cloudformation describe-stacks']);
    assert.match(execute.calls[0], /--stack-name ordersBetaStack --change-set-name release-42-1$/);
    assert.equal(run.endpoint, 'ENDPOINT_URL=https://abc123.execute-api.us-east-1.amazonaws.com/api/\n');
    const statements = roleStatements(ciAccessTemplate(project) as unknown as CfnTemplate, beta.ids.ciRole);
    assertAllowed(statements, [...review.calls, ...execute.calls], beta.accessStack, 'the beta CI role');
  });

  it('GitHub, prod (an approval): the review role creates and reviews, but may not execute; the approved deploy job executes', () => {
    const project = projectFor(GITHUB);
    const workflow = releaseWorkflow(project);
    const prod = ciTargets(project)[1];
    assert.equal(prod.review, 'review-role');
    const env = { ...github, DEPLOY_ROLE: pipelineRoleArn(prod.ids.deployRole) };
    const run = runJobs(newRepositoryFiles(GITHUB), 'prod', [{ command: jobCommand(workflow, 'review-prod'), env }, { command: jobCommand(workflow, 'deploy-prod'), env }], 'update', stack(deployed));
    const [review, execute] = run.results;
    assert.equal(review.status, 0, review.stderr);
    assert.equal(execute.status, 0, execute.stderr);
    assert.match(run.output!, /^iam_widens=false\n/);
    const template = ciAccessTemplate(project) as unknown as CfnTemplate;
    const reviewer = roleStatements(template, prod.reviewRole!.id);
    assertAllowed(reviewer, review.calls, prod.accessStack, 'the prod review role');
    assertAllowed(roleStatements(template, prod.ids.ciRole), execute.calls, prod.accessStack, 'the prod CI role');
    const stackArn = 'arn:aws:cloudformation:us-east-1:123456789012:stack/ordersProdStack/0b1c';
    for (const action of ['ExecuteChangeSet', 'DeleteStack', 'UpdateStack']) assert.ok(!allows(reviewer, { action: `cloudformation:${action}`, resource: stackArn }), action);
    assert.ok(!allows(reviewer, { action: 'cloudformation:CreateChangeSet', resource: stackArn.replace('Prod', 'Beta') }));
  });

  it('GitLab, a stage without an approval: a widening fails the review with its digest; that digest approves exactly it; nothing new passes', () => {
    const project = projectFor(GITLAB);
    const ci = gitlabCi(project) as Record<string, { script: string[]; variables: Record<string, string> }>;
    const review = ci['review-beta'];
    const command = review.script.at(-1)!;
    const env = { ...review.variables, DEPLOY_ROLE: pipelineRoleArn(ciTargets(project)[0].ids.deployRole) };
    const files = newRepositoryFiles(GITLAB);
    const stopped = runJobs(files, 'beta', [{ command, env }], 'update', stack(widened)).results[0];
    assert.equal(stopped.status, 3, stopped.stderr);
    assert.match(stopped.stderr, /^IAM widens, and stage beta has no approval: 1 modified, 0 replaced; IAM widens: DefaultRole may dynamodb:DeleteItem on \*$/m);
    const digest = /APPROVE_IAM_WIDENING=([0-9a-f]{16}) /.exec(stopped.stderr)?.[1];
    assert.ok(digest, stopped.stderr);
    const approved = runJobs(files, 'beta', [{ command, env: { ...env, APPROVE_IAM_WIDENING: digest } }], 'update', stack(widened)).results[0];
    assert.equal(approved.status, 0, approved.stderr);
    const otherDigest = runJobs(files, 'beta', [{ command, env: { ...env, APPROVE_IAM_WIDENING: '0123456789abcdef' } }], 'update', stack(widened)).results[0];
    assert.equal(otherDigest.status, 3);
    const unchanged = runJobs(files, 'beta', [{ command, env }], 'update', stack(deployed)).results[0];
    assert.equal(unchanged.status, 0, unchanged.stderr);
  });
});

describe('make ci-access', () => {
  const OIDC = 'arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com';
  const make = (answers: Record<string, string | boolean>, providers: string) => repositoryWithFakeAws(answers, {
    '*get-caller-identity*': '"$FAKE_ACCOUNT"', '*list-open-id-connect-providers*': providers, '*describe-stack-resource*': '',
  });

  it('deploys ci-access.json for the stage in its region, refusing another account\'s credentials or an unknown stage', () => {
    const run = make({ ...GITHUB, prodAccountId: PROD_ACCOUNT, prodRegion: 'eu-west-1' }, '');
    assert.match(run(['help']).stdout, /^ {2}ci-access +Deploy ci-access\.json for STAGE \(beta\|prod\)/m);
    const unknown = run(['ci-access', 'STAGE=staging']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /give STAGE=beta\|prod/);
    const wrong = run(['ci-access', 'STAGE=prod'], '999999999999');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /these credentials are for account 999999999999, not 222222222222 \(the prod account\)/);
    const prod = run(['ci-access', 'STAGE=prod']);
    assert.equal(prod.status, 0, prod.stderr);
    assert.match(prod.aws, /^cloudformation deploy --region eu-west-1 --stack-name orders-Prod-ci-access --template-file ci-access\.json --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --parameter-overrides ApplicationName=orders Target=Prod ExistingOidcProviderArn=$/m);
  });

  it('reuses the account\'s OIDC provider of the issuer (an account has one per issuer)', () => {
    const run = make({ ...GITHUB, production: false }, OIDC);
    const beta = run(['ci-access', 'STAGE=beta'], PROD_ACCOUNT);
    assert.equal(beta.status, 0, beta.stderr);
    assert.match(beta.stdout, /using the account's OIDC provider/);
    assert.match(beta.aws, new RegExp(`--parameter-overrides ApplicationName=orders ExistingOidcProviderArn=${OIDC}$`, 'm'));
  });
});

describe("issue 17's stage list on an external CI (dev; staging with tests; prod approved, canary, a wave of two regions)", () => {
  const PROD_TARGETS = ['ProdEuWest1', 'ProdUsEast1'];
  const shift = 'CodeDeployRoleArn';

  it('GitHub Actions: the wave is a matrix of the two regions in prod\'s environment (its reviewers gate it), after staging\'s tests', async () => {
    const project = stagesExample(GITHUB);
    const text = releaseWorkflowText(project);
    assert.deepEqual((await parseWithGitHub(text)).errors, []);
    const workflow = parseYaml(text) as { jobs: Record<string, Record<string, unknown>> };
    const prod = workflow.jobs['deploy-prod'];
    assert.equal(prod.environment, 'prod');
    // After each target's review (outside the environment, as its review role), which runs after staging's tests.
    assert.deepEqual(prod.needs, PROD_TARGETS.map((id) => `review-prod-${id}`));
    for (const id of PROD_TARGETS) {
      const review = workflow.jobs[`review-prod-${id}`];
      assert.deepEqual(asList(review.needs), ['integration-tests-staging']);
      assert.equal(review.environment, undefined);
      const signIn = (review.steps as { uses?: string; with?: Record<string, string> }[]).find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
      assert.equal(signIn.with!['role-to-assume'], `arn:aws:iam::${PROD_ACCOUNT}:role/orders${id}CiReviewRole`);
    }
    const include = objectAt(objectAt(prod.strategy).matrix).include as Record<string, string>[];
    assert.deepEqual(include.map((entry) => [entry.id, entry.region]), [[PROD_TARGETS[0], 'eu-west-1'], [PROD_TARGETS[1], 'us-east-1']]);
    assert.ok(include.every((entry) => entry.role.startsWith(`arn:aws:iam::${PROD_ACCOUNT}:role/`)));
    const runs = (job: string) => (workflow.jobs[job].steps as { run?: string }[]).map((step) => step.run ?? '').join('\n');
    // Canary for prod only: its merge template, the alias script, and each target passes its account's CodeDeploy role.
    assert.match(runs('package'), /chalice package --stage prod --merge-template release\/prod-traffic-shifting\.json build\/prod\npython release\/point_api_at_alias\.py build\/prod\/sam\.json/);
    assert.match(runs('package'), /chalice package --stage staging build\/staging\n/);
    for (const id of PROD_TARGETS) assert.match(runs('deploy-prod'), new RegExp(`${id}\\) DEPLOY_STEP=execute bash scripts/deploy_stage\\.sh prod ordersProdStack orders-${id}-ci-access ${id}DeployRoleArn ${shift} ;;`));
    assert.doesNotMatch(runs('deploy-staging'), new RegExp(shift));
    const files = newRepositoryFiles({ ...GITHUB, region: 'us-east-1', stages: STAGES_EXAMPLE });
    assert.ok(files.has('release/prod-traffic-shifting.json') && !files.has('release/staging-traffic-shifting.json'));
    const readme = files.get('README.md')!;
    assert.match(readme, /The approval before `prod` is that environment's \*\*required reviewers\*\*/);
    // The team's guide (first deploy, approvals, teardown) speaks of the CI and its ci-access stacks, not of a pipeline stack.
    assert.doesNotMatch(readme, /make deploy|CodePipeline console|pipeline stack/);
    assert.match(readme, /then the target's `ci-access\.json` stack \(`orders-Dev-ci-access`, `orders-Staging-ci-access`, `orders-ProdEuWest1-ci-access`, `orders-ProdUsEast1-ci-access`\)/);
  });

  it('GitLab CI: one manual deploy job per prod target (allow_failure false), each after staging\'s tests', () => {
    const ci = gitlabCi(stagesExample(GITLAB)) as Record<string, Record<string, unknown>>;
    for (const id of PROD_TARGETS) {
      const job = ci[`deploy-prod-${id}`];
      assert.deepEqual(asList(job.rules).map((rule) => [objectAt(rule).when, objectAt(rule).allow_failure]), [['manual', false]]);
      assert.deepEqual(asList(job.needs), [{ job: `review-prod-${id}`, artifacts: true }], id);
      assert.ok(asList(ci[`review-prod-${id}`].needs).some((need) => objectAt(need).job === 'integration-tests-staging'), id);
      assert.match(asList(job.script).join('\n'), new RegExp(`DEPLOY_STEP=execute .*${id}DeployRoleArn ${shift}$`));
    }
    assert.equal(objectAt(asList(ci['deploy-staging'].rules)[0]).when, undefined);
  });

  it('ci-access.json: one CodeDeploy role, made only for a prod target, named per target as the pipeline names it', () => {
    const template = ciAccessTemplate(stagesExample(GITHUB)) as unknown as CfnTemplate & { Conditions: Record<string, unknown> };
    const role = template.Resources.CodeDeployRole;
    assert.equal(role.Condition, 'ShiftsTrafficHere');
    assert.deepEqual(template.Conditions.ShiftsTrafficHere, { 'Fn::Or': PROD_TARGETS.map((id) => ({ Condition: `Deploys${id}` })) });
    assert.deepEqual(objectAt(role.Properties).RoleName, { 'Fn::Sub': '${ApplicationName}${Target}CodeDeployRole' });
    // The deploy roles of the prod targets pass it; dev's and staging's do not shift.
    for (const id of PROD_TARGETS) assert.match(JSON.stringify(template.Resources[`${id}DeployRole`]), /CodeDeployRole/);
    assert.doesNotMatch(JSON.stringify(template.Resources.StagingDeployRole), /CodeDeployRole/);
  });
});
