// The files an external CI release adds instead of pipeline.json and the buildspecs: its access template for the
// target accounts and the CI's own definition of the release.
import { InputError } from '../../answers/answers.js';
import type { Project } from '../../answers/project.js';
import { repeatedNames } from '../../answers/stage-list.js';
import { ciStages, gateEnvironment } from './release-jobs.js';
import { CI_ACCESS_FILE, ciAccessTemplate } from '../../cloudformation/ci-access.js';
import { templateText } from '../../cloudformation/cfn.js';
import { WORKFLOW_PATH, releaseWorkflowText } from './github-actions.js';
import { GITLAB_CI_PATH, gitlabCiText } from './gitlab-ci.js';

/** The CI definition file of each external CI. */
export const CI_DEFINITION_PATHS = { 'github-actions': WORKFLOW_PATH, 'gitlab-ci': GITLAB_CI_PATH } as const;

/** Files rendered from templates/pipeline that only one kind of release uses. */
export const CODEPIPELINE_ONLY_FILES = ['buildspec.yml', 'buildspec-integration.yml'];
export const EXTERNAL_CI_ONLY_FILES = ['scripts/deploy_stage.sh'];

export function ciFiles(project: Project): [string, string][] {
  if (!project.externalCi) return [];
  if (project.externalCi === 'github-actions') {
    const environments = ciStages(project).flatMap((stage) => [stage.name, ...(stage.gated ? [gateEnvironment(stage)] : [])]);
    const repeated = repeatedNames('workflow\'s environments', environments);
    if (repeated) throw new InputError([repeated]);
  }
  const definition = project.externalCi === 'github-actions' ? releaseWorkflowText(project) : gitlabCiText(project);
  return [[CI_ACCESS_FILE, templateText(ciAccessTemplate(project))], [CI_DEFINITION_PATHS[project.externalCi], definition]];
}

/** What a switch of ci leaves running in AWS, said with the files it no longer uses. */
export function ciSwitchNotes(project: Project, unused: string[], savedAnswers: Record<string, unknown>): string[] {
  if (project.externalCi && unused.includes('pipeline.json')) {
    const stack = typeof savedAnswers.pipelineStackName === 'string' ? savedAnswers.pipelineStackName : `${project.appName}-pipeline`;
    return [`the pipeline stack ${stack} still runs the old release: once ${CI_DEFINITION_PATHS[project.externalCi]} has released, delete it (aws cloudformation delete-stack --stack-name ${stack}; the app stacks it deployed are kept, and now deployed by ${CI_ACCESS_FILE}'s roles)`];
  }
  if (!project.externalCi && unused.includes(CI_ACCESS_FILE)) {
    return [`the ${CI_ACCESS_FILE} stacks in the target accounts are no longer used once the pipeline releases: delete them there (aws cloudformation delete-stack --stack-name ${project.appName}-<Target>-ci-access)`];
  }
  return [];
}
