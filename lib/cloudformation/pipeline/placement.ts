// Where each app stage deploys: the pipeline's own account and region, or another account and/or region
// (answers betaAccountId, betaRegion, prodAccountId, prodRegion). Everything that differs for a stage elsewhere
// reads these few facts, so a single-account, single-region pipeline stays exactly what it was.
import { LONGEST_ROLE_SUFFIX, type Project, type StagePlacement } from '../../answers/project.js';
import { ACCOUNT_ID_PATTERN } from '../../answers/rules.js';
import type { Json } from '../cfn.js';

/** Stage name (Beta, Prod: names the stack, the parameters and the target account's roles), account and region. */
export type Placement = StagePlacement;

export const REGION_PATTERN = '^[a-z]{2}(-gov)?-[a-z]+-[0-9]$';

/** The targets of the stages the pipeline deploys, in release order (beta, then prod when there is one, for today's keys). */
export const placements = (project: Project): Placement[] => project.placements;

export const inOtherAccount = (placement: Placement) => placement.accountId !== undefined;
export const elsewhere = (placement: Placement) => placement.accountId !== undefined || placement.region !== undefined;
/** Any stage in another account: the artifacts need a customer managed key the target accounts may use. */
export const crossAccount = (project: Project) => placements(project).some(inOtherAccount);

/** Template parameters that say where a stage goes (readable from pipeline.json alone). */
export const accountParameter = (placement: Placement) => `${placement.stage}AccountId`;
export const regionParameter = (placement: Placement) => `${placement.stage}Region`;

/** Fn::Sub text of the stage's account and region. */
export const accountOf = (placement: Placement) => (placement.accountId ? `\${${accountParameter(placement)}}` : '${AWS::AccountId}');
export const regionOf = (placement: Placement) => (placement.region ? `\${${regionParameter(placement)}}` : '${AWS::Region}');

/**
 * Names (Fn::Sub text) of the roles target-account.json creates in a stage's account: pipeline.json points at
 * exactly these. `prefix` is project.roleNamePrefix.sub (the app name, shortened when a name would pass 64).
 */
export const actionRoleName = (prefix: string, stage: string) => `${prefix}${stage}ActionRole`;
export const deployRoleName = (prefix: string, stage: string) => `${prefix}${stage}DeployRole`;
/** A target's CodeDeploy role, when its stage shifts traffic in another account (its change set passes it). */
export const codeDeployRoleName = (prefix: string, stage: string) => (stage === 'Prod' ? `${prefix}${LONGEST_ROLE_SUFFIX}` : `${prefix}${stage}CodeDeployRole`);
/** The read-only review role in a target's account (its change sets and template), trusted by the change review. */
export const reviewRoleName = (prefix: string, stage: string) => `${prefix}${stage}ReviewRole`;
/** The change review's role in the pipeline account, named when a target account's review role trusts it. */
export const changeReviewRoleName = (prefix: string) => `${prefix}ChangeReviewRole`;
/** The pipeline's role gets a fixed name when a target account must trust it by name. */
export const pipelineRoleName = (prefix: string) => `${prefix}PipelineRole`;

export const roleArnIn = (account: string, name: string) => `arn:\${AWS::Partition}:iam::${account}:role/${name}`;

export function placementParameters(project: Project): Record<string, Record<string, Json>> {
  const parameters: Record<string, Record<string, Json>> = {};
  for (const placement of placements(project)) {
    if (placement.accountId) {
      parameters[accountParameter(placement)] = {
        Type: 'String', Default: placement.accountId, AllowedPattern: ACCOUNT_ID_PATTERN,
        Description: `Account the ${placement.stage} stage deploys into (target-account.json is deployed there first)`,
      };
    }
    if (placement.region) {
      parameters[regionParameter(placement)] = {
        Type: 'String', Default: placement.region, AllowedPattern: REGION_PATTERN,
        Description: `Region the ${placement.stage} stage deploys into (pipeline-region.json there first)`,
      };
    }
  }
  return parameters;
}

/** The other regions the stages deploy into, each once, with the first stage placed there (names its parameters). */
export function otherRegions(project: Project): { region: string; placements: Placement[] }[] {
  const regions: { region: string; placements: Placement[] }[] = [];
  for (const placement of placements(project)) {
    if (!placement.region) continue;
    const known = regions.find((entry) => entry.region === placement.region);
    if (known) known.placements.push(placement);
    else regions.push({ region: placement.region, placements: [placement] });
  }
  return regions;
}

/** `eu-west-1` -> `EuWest1`: prefixes the parameters of that region's artifact store. */
export const regionId = (region: string) => region.split('-').map((part) => part[0].toUpperCase() + part.slice(1)).join('');

/** What pipeline-region.json outputs in each other region; pipeline.json takes it as `<RegionId><Output>`. */
export const REGIONAL_OUTPUTS = ['ArtifactBucket', 'ArtifactKeyArn', 'PackageBucket'] as const;
export type RegionalOutput = (typeof REGIONAL_OUTPUTS)[number];

/** Name of a pipeline.json parameter that `make deploy` fills from a region's pipeline-region.json stack. */
export const regionalParameter = (region: string, output: RegionalOutput) => `${regionId(region)}${output}`;

/** The pipeline.json parameters of the other regions' artifact stores. */
export function regionalParameters(project: Project): Record<string, Record<string, Json>> {
  const parameters: Record<string, Record<string, Json>> = {};
  const patterns: Record<RegionalOutput, string> = {
    ArtifactBucket: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
    ArtifactKeyArn: '^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$',
    PackageBucket: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
  };
  for (const { region } of otherRegions(project)) {
    for (const output of REGIONAL_OUTPUTS) {
      parameters[regionalParameter(region, output)] = {
        Type: 'String', AllowedPattern: patterns[output],
        Description: `Output ${output} of pipeline-region.json in ${region} (make deploy passes it)`,
      };
    }
  }
  return parameters;
}
