// The release model: the ordered stages a commit is promoted through, where each deploys, what gates it and how it
// takes a new version. Built once from the answers; every renderer (CodePipeline, GitHub Actions, GitLab CI, the
// Makefile, the README) reads this rather than the answer keys, so they cannot drift apart.
import type { ProdDeployment } from '../facts/aws.js';
import type { Answers } from './settings.js';

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

/** `staging` -> `Staging`, `eu-prod` -> `EuProd`. */
export const stageId = (name: string) => name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');

/** The stage shifts traffic through CodeDeploy (anything but AllAtOnce). */
export const shiftsTraffic = (stage: ReleaseStage) => stage.deployment !== 'AllAtOnce';

/**
 * Today's keys as a stage list: beta (integrationTests run against it), then prod with production (manualApproval
 * before it, prodDeployment). The shape every answers file written before `stages` existed describes.
 */
export function releaseFromShorthand(answers: Answers): Release {
  const target = (id: string, accountId: string | undefined, region: string | undefined): ReleaseTarget => ({
    // A blank optional answer ("") is no answer: the pipeline's own account and region.
    id, accountId: accountId || undefined, region: region && region !== answers.region ? region : undefined,
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
