// Validated answers plus everything derived from them: the one object templates and the pipeline model read.
import { createHash } from 'node:crypto';
import { CHALICE_RANGE, CI_HOSTS, CONNECTION_PROVIDERS, NAME_LIMITS, dnsSuffix, stackCharsKept, type ExternalCi } from '../facts/aws.js';
import { NEW_APP, type ChaliceAppFacts } from '../facts/chalice-features.js';
import {
  mergeTemplatePath, releaseFromAnswers, shiftsTraffic as stageShiftsTraffic, testsStageName, type Release, type ReleaseStage,
} from './release.js';
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

/**
 * Where an app stage deploys: another account and/or region, or (both undefined) the pipeline's own. One per target
 * of each stage of the release.
 */
export interface StagePlacement {
  /** The target's id (the stage's id for a single target: Beta, Prod): names its actions, parameters and roles. */
  stage: string;
  /** The Chalice stage (the release stage's name) the target deploys. */
  chaliceStage: string;
  accountId?: string;
  /** Set only when it differs from the pipeline's region. */
  region?: string;
}

export interface Project extends Answers {
  runtime: string;
  usesConnection: boolean;
  betaStack: string;
  prodStack: string;
  /** The app stacks per Chalice stage the pipeline deploys (with the two-stage keys: beta, and prod even without production). */
  appStacks: Record<string, AppStackName>;
  /** CodeConnections connection the stack creates (without connectionArn). */
  connectionName: DerivedName;
  /** The CodeStar Notifications rule of failed executions (64 characters at most). */
  failureRuleName: DerivedName;
  /**
   * What the roles named for another account start with (`<prefix>PipelineRole`, `<prefix>ProdActionRole`, ...):
   * the app name, or its shortened form when the longest of those names would pass IAM's 64 characters.
   */
  roleNamePrefix: DerivedName;
  pipelineStages: PipelineStage[];
  /** Stages of .chalice/config.json: dev for `chalice deploy`, then the ones the pipeline deploys. */
  chaliceStages: string[];
  remoteName: string;
  remoteUrl: string;
  /** git-remote-codecommit form (CodeCommit only). */
  grcUrl?: string;
  chaliceRange: string;
  buildspecs: string[];
  /** What the Chalice app uses (its config and decorators): the deploy role is tailored to it. */
  chaliceApp: ChaliceAppFacts;
  /** A stage shifts traffic to a new version through CodeDeploy (a deployment other than AllAtOnce). */
  shiftsTraffic: boolean;
  /** Every target of every stage, in release order (Beta, and Prod with production, for today's keys). */
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
  const release = releaseFromAnswers(answers);
  const appStacks: Record<string, AppStackName> = Object.fromEntries(release.stages.map((stage) => [stage.name, appStackName(answers.appName, `${stage.id}Stack`)]));
  // Today's keys name both stacks even without production (the Makefile and README read appStacks.prod then).
  if (!answers.stages) appStacks.prod ??= appStackName(answers.appName, 'ProdStack');
  const placements = release.stages.flatMap((stage) => stage.targets.map((target): StagePlacement => ({
    stage: target.id, chaliceStage: stage.name, accountId: target.accountId, region: target.region,
  })));
  return {
    ...answers,
    ...remote,
    runtime: `python${answers.pythonVersion}`,
    usesConnection,
    betaStack: appStacks[release.stages[0].name].value,
    prodStack: (appStacks.prod ?? appStacks[release.stages.at(-1)!.name]).value,
    appStacks,
    connectionName: derivedName(answers.appName, '-src', NAME_LIMITS.connection),
    failureRuleName: derivedName(answers.appName, 'Pipeline-failed', NAME_LIMITS.notificationRule),
    roleNamePrefix: derivedName(answers.appName, '', NAME_LIMITS.role - longestRoleSuffix(placements).length),
    pipelineStages: pipelineStages(answers, release, placements, appStacks),
    chaliceStages: ['dev', ...release.stages.map((stage) => stage.name).filter((name) => name !== 'dev')],
    chaliceRange: CHALICE_RANGE,
    buildspecs: ['buildspec.yml', ...(release.stages.some((stage) => stage.tests) ? ['buildspec-integration.yml'] : []), ...(hasReviewBuild(answers, release) ? [REVIEW_BUILDSPEC] : [])],
    chaliceApp,
    shiftsTraffic: release.stages.some(stageShiftsTraffic),
    placements,
    release,
    ...(externalCi ? { externalCi } : {}),
  };
}

/**
 * How a change is reviewed before it deploys (lib/cloudformation/pipeline/review.ts builds it):
 * `approval` create the change set, review it, approve, execute that change set; `gate` a review, then an approval
 * only when IAM permissions widen (a V2 stage condition); `gate-fails` V1 has no stage conditions: the review fails
 * the release when IAM widens; `none`. A stack in another account is reviewed through that account's read-only
 * review role (target-account.json).
 */
export type ChangeReview = 'approval' | 'gate' | 'gate-fails' | 'none';

const broadeningGate = (answers: Answers): ChangeReview => (!answers.approveBroadening ? 'none' : answers.pipelineType === 'V2' ? 'gate' : 'gate-fails');

/** How the targets of a stage are reviewed: every target of a stage alike, wherever it lives. */
export const stageReview = (answers: Answers, stage: ReleaseStage): ChangeReview => (stage.approval ? 'approval' : broadeningGate(answers));

/** The self-update's gate: a pushed pipeline.json that widens the pipeline's own roles waits for an approval. */
export const selfUpdateReview = (answers: Answers): ChangeReview => (answers.selfUpdate ? broadeningGate(answers) : 'none');

/** A review that runs the review build. */
export const runsReviewBuild = (review: ChangeReview) => review !== 'none';

export const REVIEW_BUILDSPEC = 'buildspec-review.yml';

const hasReviewBuild = (answers: Answers, release: Release) =>
  runsReviewBuild(selfUpdateReview(answers)) || release.stages.some((stage) => runsReviewBuild(stageReview(answers, stage)));

/** The longest suffix of a named role of the two-stage path (Prod's CodeDeploy role in its account). */
export const LONGEST_ROLE_SUFFIX = 'ProdCodeDeployRole';

/** The longest suffix of a role named in a target account (`<Target>CodeDeployRole`), at least today's. */
function longestRoleSuffix(placements: StagePlacement[]): string {
  return placements.filter((placement) => placement.accountId).map((placement) => `${placement.stage}CodeDeployRole`)
    .reduce((longest, suffix) => (suffix.length > longest.length ? suffix : longest), LONGEST_ROLE_SUFFIX);
}

/**
 * A role name `<roleNamePrefix><suffix>` within IAM's 64 characters: a suffix longer than the prefix leaves room for
 * (an external CI's `<Target>CiRole`, `<Target>CiReviewRole`) gets a shorter, hashed head of the app name instead.
 */
export function roleNameWithSuffix(project: Pick<Project, 'appName' | 'roleNamePrefix'>, suffix: string): string {
  const name = `${project.roleNamePrefix.value}${suffix}`;
  return name.length <= NAME_LIMITS.role ? name : `${shortAppName(project.appName, NAME_LIMITS.role - suffix.length)}${suffix}`;
}

/** " in account 222222222222, eu-west-1" for a stage elsewhere, "" for one in the pipeline's account and region. */
export function whereText(placement: StagePlacement | undefined): string {
  if (!placement) return '';
  const parts = [placement.accountId ? `account ${placement.accountId}` : '', placement.region ?? ''].filter(Boolean);
  return parts.length > 0 ? ` in ${parts.join(', ')}` : '';
}

function pipelineStages(answers: Answers, release: Release, placements: StagePlacement[], appStacks: Record<string, AppStackName>): PipelineStage[] {
  const source = answers.source === 'codecommit'
    ? `CodeCommit ${answers.repository}, branch ${answers.branch} (EventBridge rule on push)`
    : `${answers.source} ${answers.repository}, branch ${answers.branch} (CodeConnections)`;
  const stages: PipelineStage[] = [
    { name: 'Source', summary: source, change: '`BranchName` parameter (`make deploy BRANCH=...`)' },
    ...gateStages([{ id: 'Pipeline', review: selfUpdateReview(answers) }], 'Pipeline', 'the pushed `pipeline.json` against the pipeline stack'),
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
  const notified = answers.approvalEmail ? `, ${answers.approvalEmail} notified` : '';
  const approval = `change set, review (what changes, what IAM widens), manual approval${notified}, then execute that change set`;
  release.stages.forEach((stage, index) => {
    const here = placements.filter((placement) => placement.chaliceStage === stage.name);
    const where = here.length === 1 ? whereText(here[0])
      : ` in ${here.map((placement) => `${placement.accountId ? `account ${placement.accountId}` : 'the pipeline\'s account'}, ${placement.region ?? answers.region}`).join(' and ')}, in parallel`;
    const review = stageReview(answers, stage);
    stages.push(...gateStages(stage.targets.map((target) => ({ id: target.id, review })), stage.id, `the ${stage.name} template against ${appStacks[stage.name].value}`));
    const deploys = `deploys ${appStacks[stage.name].value}${where}`;
    const how = stage.approval ? ` (${approval})` : index === 0 ? ' (change set, then execute)' : '';
    const shifting = stageShiftsTraffic(stage);
    const config = `\`.chalice/config.json\` stage \`${stage.name}\``;
    stages.push({
      name: stage.id,
      summary: shifting ? `${deploys}${how}, then CodeDeploy shifts traffic ${stage.deployment}, rolling back on error alarms` : `${deploys}${how}`,
      change: `${shifting ? `${config}, \`${mergeTemplatePath(stage.name)}\`` : config}${stage.approval ? ', `ApprovalEmail` parameter' : ''}`,
    });
    if (stage.tests) {
      stages.push({ name: testsStageName(release, stage), summary: `tests/integration against the ${stage.name} EndpointURL${here.length > 1 ? ' of each target' : ''}`, change: '`buildspec-integration.yml`, `tests/integration/`' });
    }
  });
  return stages;
}

/**
 * The broadening gate's stages in the README: the review of every gated target, then per target an approval entered
 * only when its IAM widens (a stage condition reads one review's variables).
 */
function gateStages(targets: { id: string; review: ChangeReview }[], id: string, what: string): PipelineStage[] {
  const gated = targets.filter((target) => target.review === 'gate' || target.review === 'gate-fails');
  if (gated.length === 0) return [];
  const review = gated[0].review;
  const change = '`approveBroadening` answer, `buildspec-review.yml`, `scripts/review_changes.py`';
  const stages: PipelineStage[] = [{
    name: `Review${id}`,
    summary: `compares ${what}: what changes, what IAM widens${review === 'gate-fails' ? ' (fails the release when IAM widens: V1 has no stage conditions)' : ''}`,
    change,
  }];
  if (review === 'gate') {
    stages.push(...gated.map((target) => ({ name: `Approve${target.id}Broadening`, summary: 'manual approval, entered only when IAM widens (skipped otherwise)', change })));
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
export function appStackName(appName: string, suffix: string): AppStackName {
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

/**
 * The rules a stage list keeps for its app stacks' names: a long app name's shortened stack name (25 characters) must
 * leave room for the app's head and hash before `<Id>Stack`, and the part of each stack name CloudFormation keeps in
 * the names it generates must tell the stages apart (the deploy roles are scoped by it).
 */
export function stageStackProblems(appName: string, stages: { name: string; id: string }[]): string[] {
  const kept = stackCharsKept(NAME_LIMITS.generatedInAppStack);
  const problems: string[] = [];
  const room = kept - 'x-123456'.length;
  for (const stage of stages) {
    if (appName.length >= kept && `${stage.id}Stack`.length > room) {
      problems.push(`stages: stage "${stage.name}" has too long a name for appName ${appName} (${appName.length} characters): its stack name is shortened to ${kept} characters, so ${stage.id}Stack may have at most ${room}; shorten the stage name`);
    }
  }
  if (problems.length > 0) return problems;
  const seen = new Map<string, string>();
  for (const stage of stages) {
    const prefix = appStackName(appName, `${stage.id}Stack`).generatedPrefix.value;
    const twin = seen.get(prefix);
    if (twin !== undefined) {
      problems.push(`stages: stage "${stage.name}" is invalid with appName ${appName}: the names CloudFormation generates keep only "${prefix}" of its stack name, as of stage "${twin}"'s, so their deploy roles could not tell them apart; rename one so the first letters of the stage names differ`);
    }
    seen.set(prefix, stage.name);
  }
  return problems;
}
