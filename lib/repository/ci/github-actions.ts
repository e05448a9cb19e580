// .github/workflows/release.yml: the release on GitHub Actions. Pushes to the release branch run unit tests, package
// every stage once, then per stage deploy (its GitHub environment: required reviewers are the approval; a wave is a
// matrix over its targets) and integration tests; pull requests run the unit tests only and never reach AWS.
// A reviewed stage first creates and reviews its change sets (review-<stage>: the report is the job summary); the
// deploy job executes exactly those, after the environment's approval, or after <stage>-iam's when IAM widens in a
// stage without an approval (the broadening gate; skipped when nothing widens).
// Least privilege in the file: no permissions by default, id-token: write only where a job signs in, actions pinned.
import { stringify } from 'yaml';
import type { Project } from '../../answers/project.js';
import type { Release } from '../../answers/release.js';
import type { CiTarget } from '../../cloudformation/ci-access.js';
import {
  INSTALL, INTEGRATION_INSTALL, INTEGRATION_TESTS, PACKAGE_PATH, UNIT_TESTS, changeSetState, ciRoleArn, ciStages, deployCommand,
  gateEnvironment, packageCommands, reviewAccountVariable, reviewJobId, targetRegion, type CiStage,
} from './release-jobs.js';

export const WORKFLOW_PATH = '.github/workflows/release.yml';

/**
 * The actions the workflow uses, pinned to the commit of a release (a tag can be moved, a commit cannot). Each SHA
 * is the commit the tag pointed at in the action's repository.
 */
export const ACTIONS = {
  checkout: { uses: 'actions/checkout', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  setupPython: { uses: 'actions/setup-python', sha: '5fda3b95a4ea91299a34e894583c3862153e4b97', version: 'v7.0.0' },
  awsCredentials: { uses: 'aws-actions/configure-aws-credentials', sha: 'e6de054238d6b7531b4efff3b6587d9aade6a06c', version: 'v6.2.3' },
  uploadArtifact: { uses: 'actions/upload-artifact', sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', version: 'v7.0.0' },
  downloadArtifact: { uses: 'actions/download-artifact', sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', version: 'v8.0.1' },
} as const;
type Action = keyof typeof ACTIONS;

type Step = Record<string, unknown>;
type Job = Record<string, unknown>;

const uses = (action: Action, inputs?: Record<string, unknown>, name?: string): Step => ({
  ...(name ? { name } : {}),
  uses: `${ACTIONS[action].uses}@${ACTIONS[action].sha}`,
  ...(inputs ? { with: inputs } : {}),
});
const run = (name: string, command: string | string[], env?: Record<string, string>): Step => ({
  name, ...(env ? { env } : {}), run: Array.isArray(command) ? `${command.join('\n')}\n` : command,
});
/** The repository without a token left in .git (nothing later needs to push). */
const checkout = () => uses('checkout', { 'persist-credentials': false });
const setupPython = (project: Project) => uses('setupPython', { 'python-version': project.pythonVersion, cache: 'pip', 'cache-dependency-path': 'requirements*.txt' });

/** The GitHub environment variable standing in for an account the answers do not name. */
export const ACCOUNT_VARIABLE = '${{ vars.AWS_ACCOUNT_ID }}';
const PUSH_ONLY = "github.event_name == 'push'";

/**
 * When a job runs, after the jobs it needs. A skipped job (a gate nothing widened) counts as a failure for every job
 * after it in the chain under GitHub's implicit success(): once a gate is behind, each job states its own condition
 * (not cancelled, its direct needs succeeded; the deploy after a gate accepts the gate skipped).
 */
interface Start { needs: string | string[]; if: string }
function startAfter(needs: string[], afterGate: boolean, skippable: string[] = []): Start {
  if (!afterGate && skippable.length === 0) return { if: PUSH_ONLY, needs: needs.length === 1 ? needs[0] : needs };
  const succeeded = needs.map((id) => (skippable.includes(id)
    ? `(needs.${id}.result == 'success' || needs.${id}.result == 'skipped')`
    : `needs.${id}.result == 'success'`));
  return { if: `\${{ !cancelled() && ${PUSH_ONLY} && ${succeeded.join(' && ')} }}`, needs };
}

export const deployJobId = (stage: { name: string }) => `deploy-${stage.name}`;
/** The broadening gate's job: its environment's required reviewers approve a widening of IAM permissions. */
export const gateJobId = (stage: { name: string }) => `approve-${stage.name}-iam`;
const changeSetArtifact = (target: string) => `change-set-${target}`;
export const testJobId = (stage: { name: string }) => `integration-tests-${stage.name}`;
const endpointArtifact = (target: string) => `endpoint-${target}`;

/** A wave's targets as a matrix (one entry per target); a single target is written out. */
function targetValues(project: Project, stage: CiStage): { strategy?: Job; value: (key: 'id' | 'role' | 'region', target: CiTarget) => string } {
  const values = (target: CiTarget) => ({ id: target.target.id, role: ciRoleArn(project, target, ACCOUNT_VARIABLE), region: targetRegion(project, target) });
  if (stage.targets.length === 1) return { value: (key, target) => values(target)[key] };
  return {
    // No fail-fast: a failed target must never cancel another target's deploy in progress.
    strategy: { 'fail-fast': false, matrix: { include: stage.targets.map(values) } },
    value: (key) => `\${{ matrix.${key} }}`,
  };
}

/** Sign in to AWS as a role of the target (OIDC): its CI role, or the review role before an approval. */
const signIn = (project: Project, stage: CiStage, role: string, region: string) => uses('awsCredentials', {
  'role-to-assume': role, 'aws-region': region,
  'role-session-name': `${project.appName}-${stage.name}-\${{ github.run_id }}`.slice(0, 64),
}, 'Sign in to AWS (OIDC)');

/**
 * The review before a target's change set executes: create it and review it (the report is the job summary), keep
 * its name for the deploy job. Before an approval it runs outside the environment (its reviewers approve the deploy
 * job, after this), signed in as the review role; before the gate in the environment, as the CI role.
 */
function reviewJob(project: Project, stage: CiStage, target: CiTarget, start: Start): Job {
  const role = target.reviewRole
    ? ciRoleArn(project, target, `\${{ vars.${reviewAccountVariable(stage)} }}`, target.reviewRole.name)
    : ciRoleArn(project, target, ACCOUNT_VARIABLE);
  return {
    name: `Review ${stage.name}${stage.targets.length > 1 ? ` (${target.target.id})` : ''}: change set, what changes, what IAM widens`,
    ...start,
    'runs-on': 'ubuntu-latest',
    'timeout-minutes': 30,
    ...(target.reviewRole ? {} : { environment: stage.name }),
    permissions: { contents: 'read', 'id-token': 'write' },
    outputs: { iam_widens: '${{ steps.review.outputs.iam_widens }}', summary: '${{ steps.review.outputs.summary }}' },
    steps: [
      checkout(),
      setupPython(project),
      run('Install the review\'s YAML reader', 'python -m pip install "pyyaml>=6,<7"'),
      uses('downloadArtifact', { name: 'packages', path: PACKAGE_PATH }),
      signIn(project, stage, role, targetRegion(project, target)),
      { id: 'review', ...run('Create the change set and review it', deployCommand(target, 'review')) },
      uses('uploadArtifact', { name: changeSetArtifact(target.target.id), path: changeSetState(stage), 'if-no-files-found': 'error' }),
    ],
  };
}

/** The broadening gate: entered only when a review says IAM widens; its environment's reviewers approve. */
function gateJob(stage: CiStage): Job {
  const reviews = stage.targets.map((target) => reviewJobId(stage, target));
  return {
    name: `Approve ${stage.name}: IAM permissions widen`,
    // Only when every review succeeded (the deploy needs them all) and one says IAM widens.
    if: `\${{ !cancelled() && github.event_name == 'push' && ${reviews.map((id) => `needs.${id}.result == 'success'`).join(' && ')} && (${reviews.map((id) => `needs.${id}.outputs.iam_widens == 'true'`).join(' || ')}) }}`,
    needs: reviews,
    'runs-on': 'ubuntu-latest',
    'timeout-minutes': 5,
    environment: gateEnvironment(stage),
    permissions: {},
    steps: [run(
      'What widens (the review jobs\' summaries have the full report)',
      reviews.map((id, index) => `echo "${stage.targets[index].target.id}: $SUMMARY_${index}"`),
      Object.fromEntries(reviews.map((id, index) => [`SUMMARY_${index}`, `\${{ needs.${id}.outputs.summary }}`])),
    )],
  };
}

function deployJob(project: Project, stage: CiStage, start: Start): Job {
  const { strategy, value } = targetValues(project, stage);
  const target = stage.targets[0];
  const step = stage.reviewed ? 'execute' : 'all';
  const command = stage.targets.length === 1
    ? deployCommand(target, step)
    : // The matrix entry picks its target's command (stack and outputs differ only by the target id).
      ['case "$TARGET" in', ...stage.targets.map((t) => `  ${t.target.id}) ${deployCommand(t, step)} ;;`), '  *) echo "unknown target $TARGET" >&2; exit 1 ;;', 'esac'];
  return {
    name: `Deploy ${stage.name}${stage.targets.length > 1 ? ' (${{ matrix.id }})' : ''}`,
    ...start,
    'runs-on': 'ubuntu-latest',
    'timeout-minutes': 60,
    // The environment names the job in the OIDC token (sub ...:environment:<stage>): only this job can sign in.
    environment: stage.name,
    permissions: { contents: 'read', 'id-token': 'write' },
    ...(strategy ? { strategy } : {}),
    steps: [
      checkout(),
      stage.reviewed
        ? uses('downloadArtifact', { name: changeSetArtifact(value('id', target)), path: `build/${stage.name}/` })
        : uses('downloadArtifact', { name: 'packages', path: PACKAGE_PATH }),
      signIn(project, stage, value('role', target), value('region', target)),
      run(stage.reviewed ? 'Execute the reviewed change set' : 'Deploy (change set with the deploy role)', command, stage.targets.length > 1 ? { TARGET: '${{ matrix.id }}' } : undefined),
      ...(stage.tests ? [uses('uploadArtifact', { name: endpointArtifact(value('id', target)), path: `build/${stage.name}/endpoint.env`, 'if-no-files-found': 'error' })] : []),
    ],
  };
}

function testJob(project: Project, stage: CiStage, start: Start): Job {
  const { strategy, value } = targetValues(project, stage);
  return {
    name: `Integration tests ${stage.name}${stage.targets.length > 1 ? ' (${{ matrix.id }})' : ''}`,
    ...start,
    'runs-on': 'ubuntu-latest',
    'timeout-minutes': 30,
    permissions: { contents: 'read' },
    ...(strategy ? { strategy } : {}),
    steps: [
      checkout(),
      setupPython(project),
      uses('downloadArtifact', { name: endpointArtifact(value('id', stage.targets[0])), path: 'endpoint/' }),
      run('Install', INTEGRATION_INSTALL),
      run('Integration tests', ['ENDPOINT_URL="$(sed -n \'s/^ENDPOINT_URL=//p\' endpoint/endpoint.env)"', 'export ENDPOINT_URL', INTEGRATION_TESTS], { EXPECTED_STAGE: stage.name }),
    ],
  };
}

export function releaseWorkflow(project: Project, release: Release = project.release): Record<string, unknown> {
  const jobs: Record<string, Job> = {
    'unit-tests': {
      name: 'Unit tests',
      'runs-on': 'ubuntu-latest',
      'timeout-minutes': 30,
      permissions: { contents: 'read' },
      steps: [checkout(), setupPython(project), run('Install', INSTALL), ...(project.unitTests ? [run('Unit tests', UNIT_TESTS)] : [])],
    },
    package: {
      name: 'Package every stage',
      if: PUSH_ONLY,
      needs: 'unit-tests',
      'runs-on': 'ubuntu-latest',
      'timeout-minutes': 30,
      permissions: { contents: 'read' },
      env: { AWS_DEFAULT_REGION: project.region },
      steps: [
        checkout(), setupPython(project), run('Install', INSTALL),
        run('chalice package per stage, checked against the deploy role', packageCommands(project, release)),
        uses('uploadArtifact', { name: 'packages', path: PACKAGE_PATH, 'if-no-files-found': 'error' }),
      ],
    },
  };
  let previous = 'package';
  let afterGate = false;
  for (const stage of ciStages(project, release)) {
    const reviews = stage.reviewed ? stage.targets.map((target) => reviewJobId(stage, target)) : [];
    for (const [index, target] of stage.targets.entries()) if (stage.reviewed) jobs[reviews[index]] = reviewJob(project, stage, target, startAfter([previous], afterGate));
    if (stage.gated) jobs[gateJobId(stage)] = gateJob(stage);
    // After its reviews (and its gate, approved or skipped because nothing widens), else after the job before it.
    const gate = stage.gated ? [gateJobId(stage)] : [];
    jobs[deployJobId(stage)] = deployJob(project, stage, stage.reviewed ? startAfter([...reviews, ...gate], true, gate) : startAfter([previous], afterGate));
    afterGate ||= stage.gated;
    previous = deployJobId(stage);
    if (stage.tests) {
      jobs[testJobId(stage)] = testJob(project, stage, startAfter([previous], afterGate));
      previous = testJobId(stage);
    }
  }
  return {
    name: 'release',
    on: { push: { branches: [project.branch] }, pull_request: { branches: [project.branch] } },
    permissions: {},
    // One release per branch at a time: a newer push waits, a deploy in progress is never cancelled (pull requests' are).
    concurrency: { group: 'release-${{ github.ref }}', 'cancel-in-progress': "${{ github.event_name == 'pull_request' }}" },
    env: { PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    jobs,
  };
}

/** The workflow as YAML, each pinned action with its version in a comment. */
export function releaseWorkflowText(project: Project, release: Release = project.release): string {
  const text = stringify(releaseWorkflow(project, release), { lineWidth: 0 });
  const versions = new Map(Object.values(ACTIONS).map((action) => [`${action.uses}@${action.sha}`, action.version]));
  const pinned = text.replace(/^(\s*(?:- )?uses: )(\S+)$/gm, (line, _key: string, ref: string) => `${line} # ${versions.get(ref)}`);
  return `# Release of ${project.appName} (generated by generator-chalice-pipeline; re-running the generator replaces it).\n${pinned}`;
}
