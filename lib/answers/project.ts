// Validated answers plus everything derived from them: the one object templates and the pipeline model read.
import { CHALICE_RANGE, CONNECTION_PROVIDERS, dnsSuffix } from '../facts/aws.js';
import { NEW_APP, type ChaliceAppFacts } from '../facts/chalice-features.js';
import type { Answers } from './settings.js';

export interface PipelineStage {
  name: string;
  /** What the stage does, for the README diagram and table. */
  summary: string;
  /** How to change it. */
  change: string;
}

export interface Project extends Answers {
  runtime: string;
  usesConnection: boolean;
  betaStack: string;
  prodStack: string;
  stages: PipelineStage[];
  /** Stages of .chalice/config.json: dev for `chalice deploy`, then the ones the pipeline deploys. */
  chaliceStages: string[];
  remoteName: string;
  remoteUrl: string;
  /** git-remote-codecommit form (CodeCommit only). */
  grcUrl?: string;
  consoleUrl: string;
  chaliceRange: string;
  buildspecs: string[];
  /** What the Chalice app uses (its config and decorators): the deploy role is tailored to it. */
  chaliceApp: ChaliceAppFacts;
}

export function describeProject(answers: Answers, chaliceApp: ChaliceAppFacts = NEW_APP): Project {
  const usesConnection = answers.source !== 'codecommit';
  const suffix = dnsSuffix(answers.region);
  const remote = usesConnection
    ? { remoteName: 'origin', remoteUrl: `https://${CONNECTION_PROVIDERS[answers.source as 'github'].host}/${answers.repository}.git` }
    : {
        remoteName: 'codecommit',
        remoteUrl: `https://git-codecommit.${answers.region}.${suffix}/v1/repos/${answers.repository}`,
        grcUrl: `codecommit::${answers.region}://${answers.repository}`,
      };
  const consoleHost = answers.region.startsWith('cn-') ? 'console.amazonaws.cn' : answers.region.startsWith('us-gov-') ? 'console.amazonaws-us-gov.com' : 'console.aws.amazon.com';
  return {
    ...answers,
    ...remote,
    runtime: `python${answers.pythonVersion}`,
    usesConnection,
    betaStack: `${answers.appName}BetaStack`,
    prodStack: `${answers.appName}ProdStack`,
    stages: pipelineStages(answers),
    chaliceStages: ['dev', 'beta', ...(answers.production ? ['prod'] : [])],
    consoleUrl: `https://${answers.region}.${consoleHost}/codesuite/codepipeline/pipelines/${answers.appName}Pipeline/view?region=${answers.region}`,
    chaliceRange: CHALICE_RANGE,
    buildspecs: ['buildspec.yml', ...(answers.integrationTests ? ['buildspec-integration.yml'] : [])],
    chaliceApp,
  };
}

function pipelineStages(answers: Answers): PipelineStage[] {
  const source = answers.source === 'codecommit'
    ? `CodeCommit ${answers.repository}, branch ${answers.branch} (EventBridge rule on push)`
    : `${answers.source} ${answers.repository}, branch ${answers.branch} (CodeConnections)`;
  const stages: PipelineStage[] = [
    { name: 'Source', summary: source, change: '`BranchName` parameter (`make deploy BRANCH=...`)' },
    {
      name: 'Build',
      summary: answers.unitTests ? 'unit tests, then `chalice package` per stage' : '`chalice package` per stage',
      change: '`buildspec.yml`',
    },
    { name: 'Beta', summary: `deploys ${answers.appName}BetaStack (change set, then execute)`, change: '`.chalice/config.json` stage `beta`' },
  ];
  if (answers.integrationTests) {
    stages.push({ name: 'IntegrationTests', summary: 'tests/integration against the beta EndpointURL', change: '`buildspec-integration.yml`, `tests/integration/`' });
  }
  if (answers.manualApproval) {
    stages.push({
      name: 'Approval',
      summary: answers.approvalEmail ? `manual approval, ${answers.approvalEmail} notified` : 'manual approval',
      change: '`ApprovalEmail` parameter',
    });
  }
  if (answers.production) {
    stages.push({ name: 'Prod', summary: `deploys ${answers.appName}ProdStack`, change: '`.chalice/config.json` stage `prod`' });
  }
  return stages;
}
