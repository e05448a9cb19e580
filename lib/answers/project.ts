// Validated answers plus everything derived from them: the one object templates and the pipeline model read.
import { createHash } from 'node:crypto';
import { CHALICE_RANGE, CONNECTION_PROVIDERS, NAME_LIMITS, dnsSuffix, stackCharsKept } from '../facts/aws.js';
import { NEW_APP, type ChaliceAppFacts } from '../facts/chalice-features.js';
import { releaseFromShorthand, type Release, type ReleaseStage } from './release.js';
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
  const appStacks = { beta: appStackName(answers.appName, 'BetaStack'), prod: appStackName(answers.appName, 'ProdStack') };
  const release = releaseFromShorthand(answers);
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
    stages: pipelineStages(answers, release),
    chaliceStages: ['dev', 'beta', ...(answers.production ? ['prod'] : [])],
    consoleUrl: `https://${answers.region}.${consoleHost}/codesuite/codepipeline/pipelines/${answers.appName}Pipeline/view?region=${answers.region}`,
    chaliceRange: CHALICE_RANGE,
    buildspecs: ['buildspec.yml', ...(answers.integrationTests ? ['buildspec-integration.yml'] : []), ...(hasReviewBuild(answers, release) ? [REVIEW_BUILDSPEC] : [])],
    chaliceApp,
    shiftsTraffic: shiftsTraffic(answers),
    placements: stagePlacements(answers),
    release,
  };
}

/**
 * How a change is reviewed before it deploys (lib/cloudformation/pipeline/review.ts builds it):
 * `approval` create the change set, review it, approve, execute that change set; `approval-unreviewed` the same
 * without the review build (a stack in another account is out of its reach); `gate` a review, then an approval only
 * when IAM permissions widen (a V2 stage condition); `gate-fails` V1 has no stage conditions: the review fails the
 * release when IAM widens; `none`.
 */
export type ChangeReview = 'approval' | 'approval-unreviewed' | 'gate' | 'gate-fails' | 'none';

const broadeningGate = (answers: Answers): ChangeReview => (!answers.approveBroadening ? 'none' : answers.pipelineType === 'V2' ? 'gate' : 'gate-fails');

export function stageReview(answers: Answers, stage: ReleaseStage): ChangeReview {
  const otherAccount = stage.targets.some((target) => target.accountId !== undefined);
  if (stage.approval) return otherAccount ? 'approval-unreviewed' : 'approval';
  return otherAccount ? 'none' : broadeningGate(answers);
}

/** The self-update's gate: a pushed pipeline.json that widens the pipeline's own roles waits for an approval. */
export const selfUpdateReview = (answers: Answers): ChangeReview => (answers.selfUpdate ? broadeningGate(answers) : 'none');

/** A review that runs the review build (the unreviewed approval does not). */
export const runsReviewBuild = (review: ChangeReview) => review === 'approval' || review === 'gate' || review === 'gate-fails';

export const REVIEW_BUILDSPEC = 'buildspec-review.yml';

const hasReviewBuild = (answers: Answers, release: Release) =>
  runsReviewBuild(selfUpdateReview(answers)) || release.stages.some((stage) => runsReviewBuild(stageReview(answers, stage)));

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

function pipelineStages(answers: Answers, release: Release): PipelineStage[] {
  const placements = stagePlacements(answers);
  const source = answers.source === 'codecommit'
    ? `CodeCommit ${answers.repository}, branch ${answers.branch} (EventBridge rule on push)`
    : `${answers.source} ${answers.repository}, branch ${answers.branch} (CodeConnections)`;
  const stages: PipelineStage[] = [
    { name: 'Source', summary: source, change: '`BranchName` parameter (`make deploy BRANCH=...`)' },
    ...gateStages(selfUpdateReview(answers), 'Pipeline', 'the pushed `pipeline.json` against the pipeline stack'),
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
  ];
  const approval = (review: ChangeReview) => {
    const notified = answers.approvalEmail ? `, ${answers.approvalEmail} notified` : '';
    if (review === 'approval') return `change set, review (what changes, what IAM widens), manual approval${notified}, then execute that change set`;
    if (review === 'approval-unreviewed') return `change set, manual approval${notified}, then execute that change set`;
    return 'change set, then execute';
  };
  const [betaStage, prodStage] = release.stages;
  const betaReview = stageReview(answers, betaStage);
  stages.push(
    ...gateStages(betaReview, 'Beta', `the beta template against ${appStackName(answers.appName, 'BetaStack').value}`),
    { name: 'Beta', summary: `deploys ${appStackName(answers.appName, 'BetaStack').value}${whereText(placements[0])} (${approval(betaReview)})`, change: '`.chalice/config.json` stage `beta`' },
  );
  if (answers.integrationTests) {
    stages.push({ name: 'IntegrationTests', summary: 'tests/integration against the beta EndpointURL', change: '`buildspec-integration.yml`, `tests/integration/`' });
  }
  if (prodStage) {
    const prodReview = stageReview(answers, prodStage);
    const prodStack = `${appStackName(answers.appName, 'ProdStack').value}${whereText(placements[1])}`;
    stages.push(...gateStages(prodReview, 'Prod', `the prod template against ${appStackName(answers.appName, 'ProdStack').value}`), {
      name: 'Prod',
      summary: shiftsTraffic(answers)
        ? `deploys ${prodStack} (${approval(prodReview)}), then CodeDeploy shifts traffic ${answers.prodDeployment}, rolling back on error alarms`
        : `deploys ${prodStack} (${approval(prodReview)})`,
      change: `${shiftsTraffic(answers) ? '`.chalice/config.json` stage `prod`, `release/prod-traffic-shifting.json`' : '`.chalice/config.json` stage `prod`'}${prodReview.startsWith('approval') ? ', `ApprovalEmail` parameter' : ''}`,
    });
  }
  return stages;
}

/** The broadening gate's stages in the README: the review, then the approval entered only when IAM widens. */
function gateStages(review: ChangeReview, id: string, what: string): PipelineStage[] {
  if (review !== 'gate' && review !== 'gate-fails') return [];
  const change = '`approveBroadening` answer, `buildspec-review.yml`, `scripts/review_changes.py`';
  const stages: PipelineStage[] = [{
    name: `Review${id}`,
    summary: `compares ${what}: what changes, what IAM widens${review === 'gate-fails' ? ' (fails the release when IAM widens: V1 has no stage conditions)' : ''}`,
    change,
  }];
  if (review === 'gate') stages.push({ name: `Approve${id}Broadening`, summary: 'manual approval, entered only when IAM widens (skipped otherwise)', change });
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
function appStackName(appName: string, suffix: 'BetaStack' | 'ProdStack'): AppStackName {
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
