// The lines a run ends with: exactly what to type next for this app.
import { relative } from 'node:path';
import { COMMIT_MESSAGE } from './git.js';
import type { Project } from '../answers/project.js';
import { externalCiNextSteps } from '../repository/ci/readme.js';

/** none: no git repository yet; uncommitted: the files are not committed yet; committed: ready to push. */
export type GitState = 'none' | 'uncommitted' | 'committed';

/** checkedOut: the repository's branch; another one than the released branch is pushed onto it (`main:release`). */
export function nextSteps(
  project: Project, destination: string, cwd: string, targets: { deploy: string; remote: string; push: string; 'target-account': string; 'ci-access': string }, git: GitState,
  checkedOut?: string, venv?: string, remotes: readonly string[] = [],
): string[] {
  const folder = relative(cwd, destination);
  const refspec = checkedOut && checkedOut !== project.branch && git !== 'none' ? `${checkedOut}:${project.branch}` : project.branch;
  const lines = ['Next steps:'];
  if (folder) lines.push(`  cd ${folder}`);
  if (venv) lines.push(`  ${venv}            # finish .venv (its install failed above): make test runs in it`);
  if (git === 'none') lines.push(`  git init --initial-branch=${project.branch} && git add --all && git commit -m "${COMMIT_MESSAGE}"`);
  if (git === 'uncommitted') lines.push(`  git add --all && git commit -m "Release pipeline (generator-chalice-pipeline)"   # review the changes first`);
  if (project.externalCi) return [...lines, ...externalCiNextSteps(project, targets['ci-access'], refspec)];
  // Target accounts first: the pipeline is created only if it can assume their roles.
  // One line per stage and account: the targets of a stage in that account are deployed together.
  const seen = new Set<string>();
  for (const placement of project.placements.filter((p) => p.accountId)) {
    if (seen.has(`${placement.chaliceStage} ${placement.accountId}`)) continue;
    seen.add(`${placement.chaliceStage} ${placement.accountId}`);
    lines.push(`  make ${targets['target-account']} STAGE=${placement.chaliceStage} PIPELINE_ACCOUNT_ID=<the pipeline's account> AWS_PROFILE=<profile of ${placement.accountId}>   # first: the roles the pipeline uses there`);
  }
  lines.push(`  make ${targets.deploy}            # create the pipeline stack ${project.pipelineStackName} in ${project.region}`);
  // One line per address: the same address subscribed to both topics gets two e-mails, said once.
  const told = new Map<string, string[]>();
  if (project.approvalEmail) told.set(project.approvalEmail, ['approvals are announced']);
  if (project.notificationEmail) told.set(project.notificationEmail, [...(told.get(project.notificationEmail) ?? []), 'failed pipeline executions are reported']);
  for (const [address, what] of told) {
    const mails = what.length > 1 ? 'the two subscription e-mails' : 'the subscription e-mail';
    lines.push(`  # confirm ${mails} AWS sends to ${address}: ${what.join(' and ')} only after that`);
  }
  if (project.usesConnection) {
    if (!project.connectionArn) lines.push('  # approve the PENDING connection once: console > Developer Tools > Settings > Connections');
    if (!remotes.includes('origin')) lines.push(`  git remote add origin ${project.remoteUrl}`);
    lines.push(`  git push origin ${refspec}     # starts the pipeline`);
    return lines;
  }
  const host = project.remoteUrl.replace(/\/v1\/repos\/.*$/, '');
  lines.push(`  make ${targets.remote}            # remote codecommit and the CodeCommit credential helper for ${host}, i.e.:`);
  lines.push(`      git config credential.${host}.helper '!aws codecommit credential-helper $@' && git config credential.${host}.UseHttpPath true`);
  lines.push(`  git push codecommit ${refspec}   # starts the pipeline`);
  lines.push(`  # with SSO or temporary credentials: pip install git-remote-codecommit, then`);
  lines.push(`  #   git remote set-url codecommit ${project.grcUrl} && git push codecommit ${refspec}`);
  return lines;
}
