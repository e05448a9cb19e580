// What the generated README says about an external CI's release: its stages, targets, roles and set-up order.
import type { Project } from '../../answers/project.js';
import { CI_HOSTS } from '../../facts/aws.js';
import { ciRoleArn, ciStages, gateEnvironment, reviewAccountVariable, targetRegion } from './release-jobs.js';
import { CI_DEFINITION_PATHS } from './files.js';

export function ciReadmeData(project: Project) {
  const ci = project.externalCi!;
  const github = ci === 'github-actions';
  return {
    github,
    title: github ? 'GitHub Actions' : 'GitLab CI/CD',
    file: CI_DEFINITION_PATHS[ci],
    issuer: CI_HOSTS[ci].issuer,
    accountVariable: github ? 'the environment variable `AWS_ACCOUNT_ID`' : 'the CI/CD variable `AWS_ACCOUNT_ID` (scoped to the environment)',
    stages: ciStages(project).map((stage) => ({
      ...stage,
      /** The broadening gate: GitHub's `<stage>-iam` environment, GitLab's approving variable. */
      gate: stage.gated ? (github ? gateEnvironment(stage) : 'APPROVE_IAM_WIDENING') : undefined,
      targets: stage.targets.map((target) => ({
        id: target.target.id,
        account: target.target.accountId ?? '',
        region: targetRegion(project, target),
        stack: target.stack.value,
        accessStack: target.accessStack,
        role: ciRoleArn(project, target, '<AWS_ACCOUNT_ID>'),
        subject: target.subject,
        reviewRole: target.reviewRole ? ciRoleArn(project, target, '<AWS_ACCOUNT_ID>', target.reviewRole.name) : undefined,
        review: target.review,
        reviewSubject: target.reviewRole?.subject,
        /** The repository variable the review job outside the environment reads the account from (none: named). */
        reviewAccountVariable: target.reviewRole && !target.target.accountId ? reviewAccountVariable(stage) : undefined,
        wave: stage.targets.length > 1,
      })),
    })),
  };
}

/** The run's next steps with an external CI: the target accounts, the CI's environments, then the first push. */
export function externalCiNextSteps(project: Project, ciAccess: string, refspec: string): string[] {
  const { title, stages, github } = ciReadmeData(project);
  const lines = stages.flatMap((stage) => stage.targets.map((target) =>
    `  make ${ciAccess} STAGE=${stage.name}${target.wave ? ` TARGET=${target.id}` : ''} AWS_PROFILE=<profile of ${target.account || `the ${stage.name} account`}>   # first: OIDC sign-in and roles there`));
  const environments = stages.flatMap((stage) => [stage.name, ...(github && stage.gate ? [stage.gate] : [])]);
  lines.push(`  # ${title}: create the environments ${environments.join(', ')} (README "Set up, once"${github ? ', required reviewers for approvals and the -iam gates' : ''})`);
  lines.push(`  git remote add origin ${project.remoteUrl}   # if not set yet`);
  lines.push(`  git push origin ${refspec}     # starts the release`);
  return lines;
}
