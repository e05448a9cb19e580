// Validated answers plus everything derived from them: the one object templates and the pipeline model read.
import { createHash } from 'node:crypto';
import { CHALICE_RANGE, CI_HOSTS, CONNECTION_PROVIDERS, NAME_LIMITS, dnsSuffix, stackCharsKept, type ExternalCi } from '../facts/aws.js';
import { NEW_APP, type ChaliceAppFacts } from '../facts/chalice-features.js';
import { releaseFromShorthand, type Release } from './release.js';
import type { Answers } from './settings.js';

/**
 * A name derived from appName, in the three places it is written: its value, its Fn::Sub text in pipeline.json and
 * its Makefile text. The plain derivation follows the ApplicationName parameter (and make's APP_NAME); a shortened
 * one is a literal.
 */
export interface DerivedName {
  value: string;
  sub: string;
  make: string;
}

export interface AppStackName extends DerivedName {
  /**
   * What every name CloudFormation generates in the stack (functions, roles, rules: 64 characters at most) starts
   * with: `<stack>-` when the stack name survives whole, else the part of it that always survives (value and
   * Fn::Sub text).
   */
  generatedPrefix: { value: string; sub: string };
}

export interface PipelineStage {
  name: string;
  /** What the stage does, for the README diagram and table. */
  summary: string;
  /** How to change it. */
  change: string;
}

/** Where an app stage deploys: another account and/or region, or (both undefined) the pipeline's own. */
export interface StagePlacement {
  stage: 'Beta' | 'Prod';
  accountId?: string;
  /** Set only when it differs from the pipeline's region. */
  region?: string;
}

export interface Project extends Answers {
  runtime: string;
  usesConnection: boolean;
  betaStack: string;
  prodStack: string;
  /** The app stacks per Chalice stage (prod is unused without a production stage). */
  appStacks: { beta: AppStackName; prod: AppStackName };
  /** CodeConnections connection the stack creates (without connectionArn). */
  connectionName: DerivedName;
  /** The CodeStar Notifications rule of failed executions (64 characters at most). */
  failureRuleName: DerivedName;
  /**
   * What the roles named for another account start with (`<prefix>PipelineRole`, `<prefix>ProdActionRole`, ...):
   * the app name, or its shortened form when the longest of those names would pass IAM's 64 characters.
   */
  roleNamePrefix: DerivedName;
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
  /** Production shifts traffic to a new version through CodeDeploy (prodDeployment other than AllAtOnce). */
  shiftsTraffic: boolean;
  /** Beta, and Prod with production. */
  placements: StagePlacement[];
  /** The stages a commit is promoted through: what every renderer of the release reads. */
  release: Release;
  /** The CI of the code's host runs the release (no CodePipeline, connection or CodeCommit); undefined: CodePipeline. */
  externalCi?: ExternalCi;
}

export function describeProject(answers: Answers, chaliceApp: ChaliceAppFacts = NEW_APP): Project {
  const externalCi = answers.ci === 'codepipeline' || answers.ci === undefined ? undefined : answers.ci;
  const usesConnection = !externalCi && answers.source !== 'codecommit';
  const suffix = dnsSuffix(answers.region);
  const remote = externalCi || usesConnection
    ? { remoteName: 'origin', remoteUrl: `https://${externalCi ? CI_HOSTS[externalCi].host : CONNECTION_PROVIDERS[answers.source as 'github'].host}/${answers.repository}.git` }
    : {
        remoteName: 'codecommit',
        remoteUrl: `https://git-codecommit.${answers.region}.${suffix}/v1/repos/${answers.repository}`,
        grcUrl: `codecommit::${answers.region}://${answers.repository}`,
      };
  const consoleHost = answers.region.startsWith('cn-') ? 'console.amazonaws.cn' : answers.region.startsWith('us-gov-') ? 'console.amazonaws-us-gov.com' : 'console.aws.amazon.com';
  const appStacks = { beta: appStackName(answers.appName, 'BetaStack'), prod: appStackName(answers.appName, 'ProdStack') };
  return {
    ...answers,
    ...remote,
    runtime: `python${answers.pythonVersion}`,
    usesConnection,
    betaStack: appStacks.beta.value,
    prodStack: appStacks.prod.value,
    appStacks,
    connectionName: derivedName(answers.appName, '-src', NAME_LIMITS.connection),
    failureRuleName: derivedName(answers.appName, 'Pipeline-failed', NAME_LIMITS.notificationRule),
    roleNamePrefix: derivedName(answers.appName, '', NAME_LIMITS.role - LONGEST_ROLE_SUFFIX.length),
    stages: pipelineStages(answers),
    chaliceStages: ['dev', 'beta', ...(answers.production ? ['prod'] : [])],
    consoleUrl: `https://${answers.region}.${consoleHost}/codesuite/codepipeline/pipelines/${answers.appName}Pipeline/view?region=${answers.region}`,
    chaliceRange: CHALICE_RANGE,
    buildspecs: ['buildspec.yml', ...(answers.integrationTests ? ['buildspec-integration.yml'] : [])],
    chaliceApp,
    shiftsTraffic: shiftsTraffic(answers),
    placements: stagePlacements(answers),
    release: releaseFromShorthand(answers),
    ...(externalCi ? { externalCi } : {}),
  };
}

/** The longest suffix of a named role (Prod's CodeDeploy role in its account; the others are shorter). */
export const LONGEST_ROLE_SUFFIX = 'ProdCodeDeployRole';

function shiftsTraffic(answers: Answers): boolean {
  return answers.production && answers.prodDeployment !== undefined && answers.prodDeployment !== 'AllAtOnce';
}

function stagePlacements(answers: Answers): StagePlacement[] {
  const place = (stage: 'Beta' | 'Prod', accountId: string | undefined, region: string | undefined): StagePlacement => ({
    // A blank optional answer ("") is no answer: the pipeline's own account and region.
    stage, accountId: accountId || undefined, region: region && region !== answers.region ? region : undefined,
  });
  return [
    place('Beta', answers.betaAccountId, answers.betaRegion),
    ...(answers.production ? [place('Prod', answers.prodAccountId, answers.prodRegion)] : []),
  ];
}

/** " in account 222222222222, eu-west-1" for a stage elsewhere, "" for one in the pipeline's account and region. */
export function whereText(placement: StagePlacement | undefined): string {
  if (!placement) return '';
  const parts = [placement.accountId ? `account ${placement.accountId}` : '', placement.region ?? ''].filter(Boolean);
  return parts.length > 0 ? ` in ${parts.join(', ')}` : '';
}

function pipelineStages(answers: Answers): PipelineStage[] {
  const placements = stagePlacements(answers);
  const source = answers.source === 'codecommit'
    ? `CodeCommit ${answers.repository}, branch ${answers.branch} (EventBridge rule on push)`
    : `${answers.source} ${answers.repository}, branch ${answers.branch} (CodeConnections)`;
  const stages: PipelineStage[] = [
    { name: 'Source', summary: source, change: '`BranchName` parameter (`make deploy BRANCH=...`)' },
    ...(answers.selfUpdate ? [{
      name: 'UpdatePipeline',
      summary: 'updates this pipeline stack from `pipeline.json` on the branch (change set, then execute)',
      change: '`pipeline.json` (pushed), or `selfUpdate: false` and `make deploy`',
    }] : []),
    {
      name: 'Build',
      summary: answers.unitTests ? 'unit tests, then `chalice package` per stage' : '`chalice package` per stage',
      change: '`buildspec.yml`',
    },
    { name: 'Beta', summary: `deploys ${appStackName(answers.appName, 'BetaStack').value}${whereText(placements[0])} (change set, then execute)`, change: '`.chalice/config.json` stage `beta`' },
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
    const prodStack = `${appStackName(answers.appName, 'ProdStack').value}${whereText(placements[1])}`;
    stages.push({
      name: 'Prod',
      summary: shiftsTraffic(answers)
        ? `deploys ${prodStack}, then CodeDeploy shifts traffic ${answers.prodDeployment}, rolling back on error alarms`
        : `deploys ${prodStack}`,
      change: shiftsTraffic(answers) ? '`.chalice/config.json` stage `prod`, `release/prod-traffic-shifting.json`' : '`.chalice/config.json` stage `prod`',
    });
  }
  return stages;
}

/** `<appName><suffix>` when it fits the limit, else `<head>-<hash>` of the app name, then the suffix. */
function derivedName(appName: string, suffix: string, limit: number): DerivedName {
  if (appName.length + suffix.length <= limit) return { value: `${appName}${suffix}`, sub: `\${ApplicationName}${suffix}`, make: `$(APP_NAME)${suffix}` };
  const value = `${shortAppName(appName, limit - suffix.length)}${suffix}`;
  return { value, sub: value, make: value };
}

/**
 * The first characters of the app name and 6 hex characters of a SHA-256 of the whole name, within `room` characters:
 * deterministic (every run derives the same name) and distinct for names that share their first characters.
 */
export function shortAppName(appName: string, room: number): string {
  const hash = createHash('sha256').update(appName).digest('hex').slice(0, 6);
  const head = appName.slice(0, room - hash.length - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/**
 * `<appName>BetaStack` / `ProdStack`, as Chalice's own pipeline names them, while the part of it CloudFormation keeps
 * in the names it generates still tells the two stages apart (an app name of up to 24 characters); a longer app name
 * gets a stack name short enough to survive whole in every generated name, so the deploy role's scope stays exact.
 */
export function appStackName(appName: string, suffix: `${string}Stack`): AppStackName {
  const kept = stackCharsKept(NAME_LIMITS.generatedInAppStack);
  const plain = derivedName(appName, suffix, NAME_LIMITS.stack);
  if (appName.length < kept) {
    const generatedPrefix = plain.value.length <= kept
      ? { value: `${plain.value}-`, sub: `${plain.sub}-` }
      : { value: plain.value.slice(0, kept), sub: plain.value.slice(0, kept) };
    return { ...plain, generatedPrefix };
  }
  const short = derivedName(appName, suffix, kept);
  return { ...short, generatedPrefix: { value: `${short.value}-`, sub: `${short.sub}-` } };
}
