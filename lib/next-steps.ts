// The lines a run ends with: exactly what to type next for this app.
import { relative } from 'node:path';
import type { Project } from './project.js';

export function nextSteps(project: Project, destination: string, cwd: string, targets: { deploy: string; remote: string; push: string }): string[] {
  const folder = relative(cwd, destination);
  const lines = ['Next steps:'];
  if (folder) lines.push(`  cd ${folder}`);
  lines.push(`  make ${targets.deploy}            # create the pipeline stack ${project.pipelineStackName} in ${project.region}`);
  if (project.usesConnection) {
    if (!project.connectionArn) lines.push('  # approve the PENDING connection once: console > Developer Tools > Settings > Connections');
    lines.push(`  git remote add origin ${project.remoteUrl}   # if not set yet`);
    lines.push(`  git push origin ${project.branch}     # starts the pipeline`);
    return lines;
  }
  lines.push(`  make ${targets.remote}            # remote codecommit + the CodeCommit credential helper (HTTPS), i.e.:`);
  lines.push(`      git config credential.helper '!aws codecommit credential-helper $@' && git config credential.UseHttpPath true`);
  lines.push(`  git push codecommit ${project.branch}   # starts the pipeline`);
  lines.push(`  # with SSO or temporary credentials: pip install git-remote-codecommit, then`);
  lines.push(`  #   git remote set-url codecommit ${project.grcUrl} && git push codecommit ${project.branch}`);
  return lines;
}
