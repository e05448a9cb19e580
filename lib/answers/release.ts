// The release model: the ordered stages a commit is promoted through, where each deploys, what gates it and how it
// takes a new version. Built once from the answers; every renderer (CodePipeline, GitHub Actions, GitLab CI, the
// Makefile, the README) reads this rather than the answer keys, so they cannot drift apart.
import type { ProdDeployment } from '../facts/aws.js';
import type { Answers } from './settings.js';
import { pascal } from './stage-list.js';

/** One place a stage deploys to: another account and/or region, or (both undefined) the pipeline's own. */
export interface ReleaseTarget {
  /** Names the target's logical IDs and parameters: the stage's id for a single target (Beta, Prod, Staging). */
  id: string;
  accountId?: string;
  /** Set only when it differs from the pipeline's region. */
  region?: string;
}

export interface ReleaseStage {
  /** The Chalice stage in .chalice/config.json (`chalice package --stage <name>`): beta, prod, staging... */
  name: string;
  /** PascalCase of the name: the pipeline stage, the stack `<app><id>Stack`, logical IDs and parameters. */
  id: string;
  /** Deployed in parallel (a wave when more than one); the next stage waits until all succeeded. */
  targets: ReleaseTarget[];
  /** A manual approval before the stage deploys. */
  approval: boolean;
  /** tests/integration runs against every target after it deployed. */
  tests: boolean;
  /** How the stage takes a new version: AllAtOnce, or a CodeDeploy canary/linear shift. */
  deployment: ProdDeployment;
}

export interface Release {
  stages: ReleaseStage[];
}

/** A target's region when it is not the pipeline's (blank or the pipeline's own: undefined). */
const otherRegion = (answers: Answers, region: string | undefined) => (region && region !== answers.region ? region : undefined);

/** `staging` -> `Staging`, `eu-prod` -> `EuProd`. */
export const stageId = pascal;

/** The stage shifts traffic through CodeDeploy (anything but AllAtOnce). */
export const shiftsTraffic = (stage: ReleaseStage) => stage.deployment !== 'AllAtOnce';

/**
 * Today's keys as a stage list: beta (integrationTests run against it), then prod with production (manualApproval
 * before it, prodDeployment). The shape every answers file written before `stages` existed describes.
 */
export function releaseFromShorthand(answers: Answers): Release {
  const target = (id: string, accountId: string | undefined, region: string | undefined): ReleaseTarget => ({
    // A blank optional answer ("") is no answer: the pipeline's own account and region.
    id, accountId: accountId || undefined, region: otherRegion(answers, region),
  });
  const stages: ReleaseStage[] = [{
    name: 'beta', id: 'Beta', targets: [target('Beta', answers.betaAccountId, answers.betaRegion)],
    approval: false, tests: answers.integrationTests, deployment: 'AllAtOnce',
  }];
  if (answers.production) {
    stages.push({
      name: 'prod', id: 'Prod', targets: [target('Prod', answers.prodAccountId, answers.prodRegion)],
      approval: answers.manualApproval, tests: false, deployment: answers.prodDeployment ?? 'AllAtOnce',
    });
  }
  return { stages };
}

/**
 * The release the answers describe: the `stages` list when given (finishAnswers has checked it and filled in the
 * details today's keys give stages beta and prod), else today's keys (exactly the two-stage shape of before).
 */
export function releaseFromAnswers(answers: Answers): Release {
  if (!answers.stages) return releaseFromShorthand(answers);
  const here = (region: string | undefined) => otherRegion(answers, region);
  return {
    stages: answers.stages.map((stage): ReleaseStage => {
      const id = stageId(stage.name);
      const places = stage.targets ?? [{ account: stage.account, region: stage.region }];
      const accounts = new Set(places.map((place) => place.account ?? ''));
      const regions = new Set(places.map((place) => here(place.region) ?? answers.region));
      // One target takes the stage's id; a wave's targets add what tells them apart (account, region or both).
      const targetId = (place: { account?: string; region?: string }) => (places.length === 1
        ? id
        : `${id}${accounts.size > 1 ? place.account ?? 'Pipeline' : ''}${regions.size > 1 ? stageId(here(place.region) ?? answers.region) : ''}`);
      return {
        name: stage.name, id,
        targets: places.map((place) => ({ id: targetId(place), accountId: place.account || undefined, region: here(place.region) })),
        approval: stage.approval ?? false, tests: stage.tests ?? false, deployment: stage.deployment ?? 'AllAtOnce',
      };
    }),
  };
}

/** The pipeline stage of a stage's integration tests: IntegrationTests when only one stage has them, else <Id>IntegrationTests. */
export function testsStageName(release: Release, stage: ReleaseStage): string {
  return release.stages.filter((other) => other.tests).length > 1 ? `${stage.id}IntegrationTests` : 'IntegrationTests';
}

/** The merge template `chalice package` applies to a stage that shifts traffic (prod's as before: release/prod-traffic-shifting.json). */
export const mergeTemplatePath = (stageName: string) => `release/${stageName}-traffic-shifting.json`;
