// The release as CI jobs, independent of the CI that runs them: the same commands as CodePipeline's Build and deploy
// stages (chalice package --stage, the Build-stage check, aws cloudformation package, a change set with the deploy
// role), in the order of the release's stages. GitHub Actions and GitLab CI/CD only wrap these in their own syntax.
import type { Project } from '../../answers/project.js';
import { partitionOf } from '../../answers/rules.js';
import { mergeTemplatePath, type Release } from '../../answers/release.js';
import { ciOutputs, ciTargets, type CiTarget } from '../../cloudformation/ci-access.js';
import { ALIAS_SCRIPT_PATH } from '../../cloudformation/pipeline/traffic-shifting.js';

export const INSTALL = 'python -m pip install -r requirements.txt -r requirements-dev.txt';
export const UNIT_TESTS = 'python -m pytest tests --ignore=tests/integration --junitxml=reports/unit-tests.xml';
export const INTEGRATION_INSTALL = 'python -m pip install -r requirements-dev.txt';
/** tests/integration skips without an endpoint: in CI a missing one is a failure. */
export const INTEGRATION_TESTS = 'test -n "$ENDPOINT_URL" && python -m pytest tests/integration --junitxml=reports/integration-tests.xml';
/** What the package job hands to every deploy job: build/<stage>/sam.json of each stage. */
export const PACKAGE_PATH = 'build/';

/** One stage of the release with its targets, as the CI renders it (a wave when it has several). */
export interface CiStage {
  /** The Chalice stage: names the stage's jobs and its CI environment. */
  name: string;
  /** Someone approves before the stage deploys (GitHub: the environment's reviewers; GitLab: a manual job). */
  approval: boolean;
  /** tests/integration runs against each target once it deployed. */
  tests: boolean;
  /** Its change sets are created and reviewed before they execute (ci-access.ts decides: every target alike). */
  reviewed: boolean;
  /** Reviewed without an approval: the broadening gate (a widening of IAM permissions waits for an approval). */
  gated: boolean;
  targets: CiTarget[];
}

export function ciStages(project: Project, release: Release = project.release): CiStage[] {
  const targets = ciTargets(project, release);
  return release.stages.map((stage) => {
    const own = targets.filter((target) => target.stage === stage);
    const reviewed = own[0].review !== 'none';
    return { name: stage.name, approval: stage.approval, tests: stage.tests, reviewed, gated: reviewed && !stage.approval, targets: own };
  });
}

/** `chalice package` of every stage, each checked against the deploy role's coverage before any deploy. */
export function packageCommands(project: Project, release: Release = project.release): string[] {
  const shifting = new Set(ciTargets(project, release).filter((target) => target.shiftsTraffic).map((target) => target.stage.name));
  return release.stages.flatMap((stage) => [
    ...(shifting.has(stage.name)
      ? [
          `chalice package --stage ${stage.name} --merge-template ${mergeTemplatePath(stage.name)} build/${stage.name}`,
          `python ${ALIAS_SCRIPT_PATH} build/${stage.name}/sam.json`,
        ]
      : [`chalice package --stage ${stage.name} build/${stage.name}`]),
    `python scripts/check_deploy_role.py build/${stage.name}/sam.json`,
  ]);
}

/**
 * A target's scripts/deploy_stage.sh command: `all` creates and executes the change set; `review` creates and reviews
 * it (the job before an approval or the broadening gate); `execute` executes the reviewed one.
 */
export function deployCommand(target: CiTarget, step: 'all' | 'review' | 'execute' = 'all'): string {
  const outputs = ciOutputs(target);
  const command = ['bash scripts/deploy_stage.sh', target.stage.name, target.stack.value, target.accessStack, outputs.deployRole,
    ...(target.shiftsTraffic ? [outputs.codeDeployRole] : [])].join(' ');
  return step === 'all' ? command : `DEPLOY_STEP=${step} ${command}`;
}

/** The job that creates and reviews a target's change set (a wave's targets each have their own). */
export const reviewJobId = (stage: CiStage, target: CiTarget) => (stage.targets.length > 1 ? `review-${stage.name}-${target.target.id}` : `review-${stage.name}`);

/** GitHub's broadening gate: the environment whose required reviewers approve a widening of IAM permissions. */
export const gateEnvironment = (stage: { name: string }) => `${stage.name}-iam`;

/**
 * GitHub's review before an approval runs outside the stage's environment, so it cannot read the environment's
 * AWS_ACCOUNT_ID: a repository variable per stage names an account the answers do not.
 */
export const reviewAccountVariable = (stage: { name: string }) => `AWS_ACCOUNT_ID_${stage.name.toUpperCase().replaceAll('-', '_')}`;

/** What the review job keeps for the execute job: the change set's name and whether it changes anything. */
export const changeSetState = (stage: { name: string }) => `build/${stage.name}/change-set.env`;

/** Where a target deploys: its region, and the account when the answers name it (else the CI's variable). */
export function targetRegion(project: Project, target: CiTarget): string {
  return target.target.region ?? project.region;
}

/**
 * The CI role's ARN (or another role of the target's ci-access.json, by name); `accountVariable` stands in for an
 * account the answers do not name (set per environment).
 */
export function ciRoleArn(project: Project, target: CiTarget, accountVariable: string, roleName = target.ciRoleName): string {
  const account = target.target.accountId ?? accountVariable;
  return `arn:${partitionOf(targetRegion(project, target))}:iam::${account}:role/${roleName}`;
}
