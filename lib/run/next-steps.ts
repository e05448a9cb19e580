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
  checkedOut?: string,
): string[] {
  const folder = relative(cwd, destination);
  const refspec = checkedOut && checkedOut !== project.branch && git !== 'none' ? `${checkedOut}:${project.branch}` : project.branch;
  const lines = ['Next steps:'];
  if (folder) lines.push(`  cd ${folder}`);
  if (git === 'none') lines.push(`  git init --initial-branch=${project.branch} && git add --all && git commit -m "${COMMIT_MESSAGE}"`);
  if (git === 'uncommitted') lines.push(`  git add --all && git commit -m "Release pipeline (generator-chalice-pipeline)"   # review the changes first`);
  if (project.externalCi) return [...lines, ...externalCiNextSteps(project, targets['ci-access'], refspec)];
  // Target accounts first: the pipeline is created only if it can assume their roles.
  for (const placement of project.placements.filter((p) => p.accountId)) {
    lines.push(`  make ${targets['target-account']} STAGE=${placement.stage.toLowerCase()} PIPELINE_ACCOUNT_ID=<the pipeline's account> AWS_PROFILE=<profile of ${placement.accountId}>   # first: the roles the pipeline uses there`);
  }
  lines.push(`  make ${targets.deploy}            # create the pipeline stack ${project.pipelineStackName} in ${project.region}`);
  if (project.approvalEmail) lines.push(`  # confirm the subscription e-mail AWS sends to ${project.approvalEmail}: approvals are announced only after that`);
  if (project.notificationEmail) {
    lines.push(`  # confirm the subscription e-mail AWS sends to ${project.notificationEmail}: failed pipeline executions are reported only after that`);
  }
  if (project.usesConnection) {
    if (!project.connectionArn) lines.push('  # approve the PENDING connection once: console > Developer Tools > Settings > Connections');
    lines.push(`  git remote add origin ${project.remoteUrl}   # if not set yet`);
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
