// The team's guide to the pipeline, written into the repository: prerequisites, the first deploy in order,
// approving a release, rolling back, what it costs, the connection's life and teardown. It ends the README's
// pipeline block of a new app and makes up PIPELINE.md when the pipeline is added to an existing app.
import type { Project } from '../answers/project.js';
import type { MakeTargets } from './makefile.js';
import { PRICES, costMarkdown } from './cost.js';
import { ciReadmeData } from './ci/readme.js';
import { SHIFTED_FUNCTIONS, shiftingTargets } from '../cloudformation/pipeline/traffic-shifting.js';

export const PIPELINE_DOC = 'PIPELINE.md';

export function guideMarkdown(project: Project, t: MakeTargets): string {
  if (project.externalCi) return externalCiGuide(project, t);
  const pipeline = `${project.appName}Pipeline`;
  const inRegion = `--region ${project.region}`;
  // One target-account.json deploy per stage and account (a wave's targets in one account are deployed together).
  const targets = project.placements.filter((placement, index, all) => placement.accountId
    && all.findIndex((other) => other.chaliceStage === placement.chaliceStage && other.accountId === placement.accountId) === index);
  const { release } = project;
  const approved = release.stages.filter((stage) => stage.approval);
  const approval = approved.length > 0;
  // The approval is inside its stage, between the change sets and their execution (review.ts).
  const approvalStages = approved.map((stage) => stage.id);
  const before = (name: string) => release.stages[release.stages.findIndex((stage) => stage.name === name) - 1]?.name;
  const sections: string[][] = [
    [
      '## Before the first deploy',
      '',
      `- The AWS CLI v2, \`make\`, \`git\` and Python ${project.pythonVersion} (\`make ${t.venv}\`).`,
      `- Credentials for the pipeline's account (${project.region}) that may create IAM roles and policies: the stack creates its roles (\`CAPABILITY_IAM\`${targets.length > 0 ? ', `CAPABILITY_NAMED_IAM`' : ''}). Check them with \`aws sts get-caller-identity\`.`,
      ...(targets.length > 0 ? [`- Credentials for ${targets.map((p) => `account ${p.accountId} (${p.chaliceStage})`).join(' and ')}, to deploy \`target-account.json\` there.`] : []),
      ...(project.usesConnection ? [`- Admin rights on the ${project.source} repository \`${project.repository}\` to install the AWS Connector app (see [The connection](#the-connection)).`] : []),
    ],
    [
      '## First deploy, in order',
      '',
      ...targets.map((p, index) => `${index + 1}. \`make ${t['target-account']} STAGE=${p.chaliceStage} PIPELINE_ACCOUNT_ID=<pipeline account>\` with the credentials of ${p.accountId}: the roles the pipeline assumes there.`),
      `${targets.length + 1}. \`make ${t.deploy}\`: creates the stack ${project.pipelineStackName} (about 3 minutes).`,
      ...(project.usesConnection
        ? [`${targets.length + 2}. ${project.connectionArn ? 'Your connection is used as it is.' : 'Approve the PENDING connection (see [The connection](#the-connection)).'}`,
          `${targets.length + 3}. \`git push origin ${project.branch}\`: the first release starts.`]
        : [`${targets.length + 2}. \`make ${t.remote} && make ${t.push}\`: pushes ${project.branch} to the new CodeCommit repository; the first release starts.`]),
      `${targets.length + (project.usesConnection ? 4 : 3)}. \`make ${t.status}\` shows each stage; ${[project.approvalEmail, project.notificationEmail].some(Boolean) ? 'confirm the SNS subscription e-mails to receive notices' : 'the console shows the same under CodePipeline'}.`,
    ],
    ...(approval ? [[
      '## Approving a release',
      '',
      `${approved.map((stage, index) => `${stage.name} waits at the \`ApproveRelease\` action of its \`${approvalStages[index]}\` stage`).join(', ')}${project.approvalEmail ? ` (an e-mail goes to ${project.approvalEmail})` : ''}. Open the pipeline ${pipeline} in the CodePipeline console,`,
      `read what its change set does (the approval links it and names the endpoint of ${approved.map((stage) => before(stage.name) ?? 'no stage before').join(', ')}), then **Review** > **Approve** (or **Reject**: the release stops there). From the CLI:`,
      '',
      '```sh',
      `aws codepipeline get-pipeline-state ${inRegion} --name ${pipeline} --query "stageStates[?stageName=='${approvalStages[0]}'].actionStates[?actionName=='ApproveRelease'][].latestExecution.token" --output text`,
      `aws codepipeline put-approval-result ${inRegion} --pipeline-name ${pipeline} --stage-name ${approvalStages[0]} --action-name ApproveRelease \\`,
      `  --result summary="checked ${before(approved[0]?.name ?? '') ?? 'the release'}",status=Approved --token <the token above>`,
      '```',
      '',
      'Who may approve is who may call `codepipeline:PutApprovalResult` on this pipeline: grant it to the release managers only.',
    ]] : []),
    [
      '## Rolling back',
      '',
      `- **Revert and push** (always works): \`git revert <commit> && git push\`; the pipeline releases the revert like any change${approval ? ' (approve it)' : ''}.`,
      project.pipelineType === 'V2'
        ? `- **Re-run an earlier release**: \`aws codepipeline start-pipeline-execution ${inRegion} --name ${pipeline} --source-revisions actionName=Source,revisionType=COMMIT_ID,revisionValue=<commit>\` (V2 pipelines), or **Release change** with a source revision in the console; every stage runs again on that commit.`
        : `- **Re-run an earlier release**: a V1 pipeline always takes the branch head: revert (above), or push the earlier commit to ${project.branch}.`,
      ...(project.shiftsTraffic
        ? ['- **Stop a canary**: `make status` prints the running deployment; `aws deploy stop-deployment --deployment-id <id> --auto-rollback-enabled` moves the traffic back (an error alarm does it by itself).']
        : []),
      '- A failed deploy rolls its stack back by itself; **Retry** on the stage runs it again.',
    ],
    ['## What it costs', '', ...costMarkdown(project)],
    ...(project.usesConnection ? [[
      '## The connection',
      '',
      project.connectionArn
        ? `The pipeline uses your connection \`${project.connectionArn}\`: it outlives this stack, and whoever manages it keeps it AVAILABLE.`
        : `The stack creates a CodeConnections connection in state PENDING. Approve it once: console > Developer Tools > Settings > Connections > the connection > **Update pending connection**, then install (or choose) the AWS Connector app on the ${project.source} owner with access to \`${project.repository}\`. Until then the Source stage fails.`,
      ...(project.connectionArn ? [] : [
        '',
        `The connection belongs to the stack: deleting and re-creating ${project.pipelineStackName} makes a new one, PENDING again (approve it again; the app installation stays). To keep one across re-creations, create it once yourself and answer \`--connection-arn\`.`,
      ]),
    ]] : []),
    [
      '## Teardown',
      '',
      `\`make ${t.destroy}\` asks first (\`make ${t.destroy} CONFIRM=yes\` does not), then deletes the app stacks (${release.stages.map((stage) => project.appStacks[stage.name].value).join(', ')}) and only then the pipeline stack: CloudFormation deletes the app stacks as the pipeline's \`CFNDeployRole\`, which goes with the pipeline stack.`,
      `The buckets${project.usesConnection ? '' : ' and the CodeCommit repository'} are kept (Retain): empty and delete them by hand if they must go${targets.length > 0 ? '; each target account keeps its `<app>-<stage>-target` stack until deleted there' : ''}.`,
    ],
  ];
  return sections.map((section) => section.join('\n')).join('\n\n');
}

/** The same guide when GitHub Actions or GitLab CI runs the release: no pipeline stack, a ci-access stack per target. */
function externalCiGuide(project: Project, t: MakeTargets): string {
  const ci = ciReadmeData(project);
  const approvals = ci.stages.filter((stage) => stage.approval).map((stage) => `\`${stage.name}\``);
  const targets = ci.stages.flatMap((stage) => stage.targets.map((target) => ({ stage: stage.name, ...target })));
  const alarms = 2 * SHIFTED_FUNCTIONS.length * shiftingTargets(project).length;
  const sections: string[][] = [
    [
      '## Before the first deploy',
      '',
      `- The AWS CLI v2, \`make\`, \`git\` and Python ${project.pythonVersion} (\`make ${t.venv}\`).`,
      `- For each target account (${[...new Set(targets.map((target) => target.account || `the ${target.stage} account`))].join(', ')}): credentials that may create IAM roles (\`CAPABILITY_NAMED_IAM\`), to deploy \`ci-access.json\` there.`,
      `- Admin rights on \`${project.repository}\` in ${ci.title}, to create its environments.`,
      '',
      'Then follow [The release](#the-release): set up, once, in that order.',
    ],
    ...(approvals.length > 0 ? [[
      '## Approving a release',
      '',
      ci.github
        ? `The deploy job of ${approvals.join(', ')} waits for its environment's required reviewers: open the workflow run, read the review job's summary (what the change set changes, what IAM widens), then **Review deployments**, tick the environment, **Approve and deploy** (or **Reject**: the release stops there). Approving executes exactly the change set that review describes.`
        : `The deploy job of ${approvals.join(', ')} is manual: open the pipeline, read its review job (what the change set changes, what IAM widens; \`build/<stage>/review.txt\` in its artifacts), and run the deploy job (its ▶ button): it executes exactly that change set. Until then the stages after it wait.`,
    ]] : []),
    [
      '## Rolling back',
      '',
      '- **Revert and push** (always works): `git revert <commit> && git push`; the release runs for the revert like any change.',
      ...(shiftingTargets(project).length > 0
        ? ['- **Stop a canary**: `aws deploy stop-deployment --deployment-id <id> --auto-rollback-enabled` with the target\'s credentials moves the traffic back (an error alarm does it by itself).']
        : []),
      `- A failed deploy rolls its stack back by itself; re-run the failed job to try again.`,
    ],
    [
      '## What it costs',
      '',
      `No CodePipeline or CodeBuild: the jobs run on ${ci.title}'s runners (its minutes, within the plan's allowance). In AWS, each target's package bucket (a few MB per release, cents a month)${alarms > 0 ? ` and ${alarms} CloudWatch alarms for the traffic shifts (${(alarms * PRICES.alarmPerMonth).toFixed(2)} USD a month)` : ''}; the app's own Lambda and API Gateway traffic comes on top.`,
    ],
    [
      '## Teardown',
      '',
      `For each target, with that account's credentials: delete the app stack first (${[...new Set(targets.map((target) => `\`${target.stack}\``))].join(', ')}; CloudFormation deletes it as the target's deploy role), then the target's \`ci-access.json\` stack (${targets.map((target) => `\`${target.accessStack}\``).join(', ')}).`,
      `The package buckets are kept (Retain): empty and delete them by hand if they must go; then remove ${ci.file} and the environments.`,
    ],
  ];
  return sections.map((section) => section.join('\n')).join('\n\n');
}

/**
 * PIPELINE.md of an existing app: the generated block (the README pipeline section's content) under a title; the
 * block replaced in place on re-runs, the team's lines around it kept.
 */
export function pipelineDocument(appName: string, block: string): string {
  return `# Release pipeline of ${appName}\n\nHow the pipeline works and how to operate it. Generated by generator-chalice-pipeline: re-running it replaces\nonly the text between the markers; add your own notes outside them.\n\n${block}`;
}
