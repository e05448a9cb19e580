// .gitlab-ci.yml: the release on GitLab CI/CD. The same jobs as the GitHub workflow: unit tests (merge requests run
// only these), package every stage once, then per stage and target a deploy job signed in with an ID token
// (audience sts.amazonaws.com) in the stage's environment (a manual job where the stage has an approval), then
// integration tests against the EndpointURL the deploy job passes on (a dotenv report). A reviewed stage first creates
// and reviews each target's change set (review-<stage>: the report in its log and artifacts), and the deploy job
// executes exactly that one. GitLab cannot start a job from another's result: without an approval, a review that finds
// IAM widening fails the release (the broadening gate) until it is approved by its digest (APPROVE_IAM_WIDENING).
import { stringify } from 'yaml';
import { CI_HOSTS } from '../../facts/aws.js';
import type { Project } from '../../answers/project.js';
import type { Release } from '../../answers/release.js';
import type { CiTarget } from '../../cloudformation/ci-access.js';
import {
  INSTALL, INTEGRATION_INSTALL, INTEGRATION_TESTS, PACKAGE_PATH, UNIT_TESTS, changeSetState, ciRoleArn, ciStages, deployCommand,
  packageCommands, reviewJobId, targetRegion, type CiStage,
} from './release-jobs.js';

export const GITLAB_CI_PATH = '.gitlab-ci.yml';
/** The CI/CD variable (scoped to the stage's environment) standing in for an account the answers do not name. */
export const GITLAB_ACCOUNT_VARIABLE = '${AWS_ACCOUNT_ID}';

type Job = Record<string, unknown>;

/** A push to the release branch, or a maintainer's "Run pipeline" on it (how a widening is approved by its digest). */
const onReleaseBranch = (branch: string) => `$CI_COMMIT_BRANCH == ${JSON.stringify(branch)} && ($CI_PIPELINE_SOURCE == "push" || $CI_PIPELINE_SOURCE == "web")`;
export const gitlabDeployJobId = (stage: CiStage, target: CiTarget) => (stage.targets.length > 1 ? `deploy-${stage.name}-${target.target.id}` : `deploy-${stage.name}`);
export const gitlabTestJobId = (stage: CiStage, target: CiTarget) => (stage.targets.length > 1 ? `integration-tests-${stage.name}-${target.target.id}` : `integration-tests-${stage.name}`);

/** Sign in: the AWS CLI assumes the role itself from the job's ID token (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN). */
const SIGN_IN = [
  'python -m pip install awscli',
  'printf "%s" "$AWS_ID_TOKEN" > "$CI_PROJECT_DIR/.aws-id-token"',
  'export AWS_WEB_IDENTITY_TOKEN_FILE="$CI_PROJECT_DIR/.aws-id-token"',
];

export function gitlabCi(project: Project, release: Release = project.release): Record<string, unknown> {
  const stages = ciStages(project, release);
  const branchRule = onReleaseBranch(project.branch);
  const jobs: Record<string, Job> = {
    'unit-tests': {
      stage: 'test',
      script: [INSTALL, ...(project.unitTests ? [UNIT_TESTS] : [])],
      ...(project.unitTests ? { artifacts: { when: 'always', reports: { junit: 'reports/unit-tests.xml' } } } : {}),
    },
    package: {
      stage: 'package',
      rules: [{ if: branchRule }],
      needs: ['unit-tests'],
      variables: { AWS_DEFAULT_REGION: project.region },
      script: [INSTALL, ...packageCommands(project, release)],
      artifacts: { paths: [PACKAGE_PATH], expire_in: '30 days' },
    },
  };
  let previous: string[] = ['package'];
  for (const stage of stages) {
    const done: string[] = [];
    for (const target of stage.targets) {
      const deployId = gitlabDeployJobId(stage, target);
      const reviewId = reviewJobId(stage, target);
      const { reviewed } = stage;
      const previousJobs = previous.filter((id) => id !== 'package').map((job) => ({ job, artifacts: false }));
      // Signed in as the target's CI role; one job of a target at a time, a running one never cancelled. (A function:
      // each job its own objects, no YAML anchors in the file.)
      const signedIn = () => ({
        resource_group: target.accessStack,
        id_tokens: { AWS_ID_TOKEN: { aud: CI_HOSTS['gitlab-ci'].audience } },
        variables: {
          AWS_ROLE_ARN: ciRoleArn(project, target, GITLAB_ACCOUNT_VARIABLE),
          AWS_ROLE_SESSION_NAME: `${project.appName}-${stage.name}-\${CI_PIPELINE_ID}`,
          AWS_DEFAULT_REGION: targetRegion(project, target),
        },
      });
      if (reviewed) {
        jobs[reviewId] = {
          stage: stage.name,
          rules: [{ if: branchRule }],
          needs: [{ job: 'package', artifacts: true }, ...previousJobs],
          // Prepares the deploy (no deployment recorded): the environment's variables, e.g. AWS_ACCOUNT_ID, apply.
          environment: { name: stage.name, action: 'prepare' },
          ...signedIn(),
          variables: { ...signedIn().variables, ...(stage.approval ? {} : { FAIL_ON_WIDENING: 'true' }) },
          script: [...SIGN_IN, deployCommand(target, 'review')],
          // The report is kept when the gate fails the job too: the approver reads it there.
          artifacts: { when: 'always', paths: [changeSetState(stage), `build/${stage.name}/review.txt`], expire_in: '30 days' },
        };
      }
      jobs[deployId] = {
        stage: stage.name,
        // An approval is this manual job: the stages after it wait until someone runs it (allow_failure: false).
        rules: [stage.approval ? { if: branchRule, when: 'manual', allow_failure: false } : { if: branchRule }],
        needs: reviewed ? [{ job: reviewId, artifacts: true }] : [{ job: 'package', artifacts: true }, ...previousJobs],
        environment: { name: stage.name, action: 'start' },
        ...signedIn(),
        script: [...SIGN_IN, deployCommand(target, reviewed ? 'execute' : 'all')],
        ...(stage.tests ? { artifacts: { reports: { dotenv: `build/${stage.name}/endpoint.env` } } } : {}),
      };
      if (stage.tests) {
        const testId = gitlabTestJobId(stage, target);
        jobs[testId] = {
          stage: stage.name,
          rules: [{ if: branchRule }],
          needs: [{ job: deployId, artifacts: true }],
          variables: { EXPECTED_STAGE: stage.name },
          script: [INTEGRATION_INSTALL, INTEGRATION_TESTS],
          artifacts: { when: 'always', reports: { junit: 'reports/integration-tests.xml' } },
        };
        done.push(testId);
      } else {
        done.push(deployId);
      }
    }
    previous = done;
  }
  return {
    workflow: {
      // Merge requests run the unit tests only; the release branch runs the release; nothing else starts a pipeline.
      rules: [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }, { if: branchRule }],
    },
    stages: ['test', 'package', ...stages.map((stage) => stage.name)],
    default: { image: `python:${project.pythonVersion}` },
    variables: { PIP_CACHE_DIR: '$CI_PROJECT_DIR/.cache/pip', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    cache: { key: 'pip', paths: ['.cache/pip'] },
    ...jobs,
  };
}

export function gitlabCiText(project: Project, release: Release = project.release): string {
  return `# Release of ${project.appName} (generated by generator-chalice-pipeline; re-running the generator replaces it).\n${stringify(gitlabCi(project, release), { lineWidth: 0 })}`;
}
