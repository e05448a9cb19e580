// The `stages` answer: the promotion path as an ordered list, read from a flag ("dev,staging,prod"), an answers file
// (a list of objects) or .yo-rc.json, and checked against what Chalice, CloudFormation and CodePipeline accept.
import { PROD_DEPLOYMENTS, type ProdDeployment } from '../facts/aws.js';
import { accountIdRule, stageRegionRule } from './rules.js';

export interface StageTargetAnswer {
  account?: string;
  region?: string;
}

/** One stage as the answers file writes it; everything but the name is optional. */
export interface StageAnswer extends StageTargetAnswer {
  name: string;
  /** A wave: the stage deploys to each in parallel (instead of account/region). */
  targets?: StageTargetAnswer[];
  approval?: boolean;
  tests?: boolean;
  deployment?: ProdDeployment;
}

/**
 * Lower case letters and digits in words joined by single "-", a letter first: a Chalice stage key, a part of the
 * stack name `<app><Id>Stack`, and (as PascalCase) a CodePipeline stage name and a CloudFormation logical ID part.
 */
export const STAGE_NAME_PATTERN = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$';
export const STAGE_NAME_MAX = 20;

/**
 * CodePipeline quotas (AWS CodePipeline user guide, "Quotas in AWS CodePipeline"): 50 stages per pipeline, 50 actions
 * per stage, 50 of them in parallel. A stage's deploy actions are two per target (change set, execute).
 */
export const CODEPIPELINE_QUOTAS = { stagesPerPipeline: 50, actionsPerStage: 50, parallelActions: 50 } as const;

/** PascalCase stage ids the pipeline already uses for its own stages. */
const RESERVED_IDS = ['Source', 'Build', 'UpdatePipeline', 'Approval', 'IntegrationTests', 'Pipeline'];

const STAGE_KEYS = ['name', 'account', 'region', 'targets', 'approval', 'tests', 'deployment'];

/** `staging` -> `Staging`, `eu-prod` -> `EuProd`, `eu-west-1` -> `EuWest1` (release.ts exports it as the stage id). */
export const pascal = (name: string) => name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');

/**
 * The list as given: a comma-separated string of names (flag, prompt) or a list of names and stage objects (file,
 * .yo-rc.json). Returns the stages, or the problems (each naming the stage and the rule).
 */
export function parseStages(value: unknown): { stages?: StageAnswer[]; problems: string[] } {
  if (typeof value === 'string') {
    const names = value.split(',').map((name) => name.trim());
    return { stages: names.map((name) => ({ name })), problems: [] };
  }
  if (!Array.isArray(value)) return { problems: ['stages must be a list of stages (or names separated by commas: dev,staging,prod)'] };
  const problems: string[] = [];
  const stages: StageAnswer[] = [];
  value.forEach((entry, index) => {
    const at = `stages[${index}]`;
    if (typeof entry === 'string') return void stages.push({ name: entry });
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return void problems.push(`${at} must be a name or an object such as {"name": "staging"}`);
    const record = entry as Record<string, unknown>;
    for (const key of Object.keys(record)) if (!STAGE_KEYS.includes(key)) problems.push(`${at}: unknown key "${key}"; a stage has ${STAGE_KEYS.join(', ')}`);
    const typed = (key: string, type: 'string' | 'boolean') => {
      if (record[key] !== undefined && typeof record[key] !== type) problems.push(`${at}: ${key} must be ${type === 'boolean' ? 'true or false' : 'a string'}`);
    };
    for (const key of ['name', 'account', 'region', 'deployment']) typed(key, 'string');
    for (const key of ['approval', 'tests']) typed(key, 'boolean');
    if (record.targets !== undefined && (!Array.isArray(record.targets) || record.targets.some((t) => typeof t !== 'object' || t === null || Array.isArray(t)))) {
      problems.push(`${at}: targets must be a list of {"account": ..., "region": ...}`);
    }
    stages.push(record as unknown as StageAnswer);
  });
  return { stages, problems };
}

/** Every rule the list breaks, each naming the stage: exit 2. */
export function stageListProblems(stages: StageAnswer[], pipelineRegion: string | undefined): string[] {
  const problems: string[] = [];
  if (stages.length === 0) return ['stages is invalid: give at least one stage'];
  const ids = new Map<string, string>();
  stages.forEach((stage, index) => {
    const name = typeof stage.name === 'string' ? stage.name : '';
    const at = `stages: stage ${JSON.stringify(name || index + 1)}`;
    if (!new RegExp(STAGE_NAME_PATTERN).test(name) || name.length > STAGE_NAME_MAX) {
      problems.push(`${at} has an invalid name: lower case letters, digits and single "-" between them, starting with a letter, at most ${STAGE_NAME_MAX} characters (a Chalice stage, a stack name part, a CodePipeline stage name)`);
      return;
    }
    const id = pascal(name);
    if (RESERVED_IDS.includes(id)) problems.push(`${at} is invalid: the pipeline has a stage ${id} of its own; choose another name`);
    const twin = ids.get(id);
    if (twin !== undefined) problems.push(twin === name ? `${at} is a duplicate: every stage name appears once` : `${at} is invalid: it and stage "${twin}" both become ${id} in the pipeline and the stack names; rename one`);
    else ids.set(id, name);
    if (index === 0 && stage.approval === true) {
      problems.push(`${at} is invalid: approval on the first stage has nothing deployed to review yet; put the approval on a later stage (it gates the stage it is on)`);
    }
    if (stage.deployment !== undefined && !(PROD_DEPLOYMENTS as readonly string[]).includes(stage.deployment)) {
      problems.push(`${at} has an invalid deployment ${JSON.stringify(stage.deployment)}: must be one of ${PROD_DEPLOYMENTS.join(', ')}`);
    }
    if (stage.targets !== undefined && (stage.account !== undefined || stage.region !== undefined)) {
      problems.push(`${at} is invalid: give either account/region or targets, not both`);
    }
    const targets = stage.targets ?? [{ account: stage.account, region: stage.region }];
    if (targets.length === 0) problems.push(`${at} is invalid: targets must list at least one {"account": ..., "region": ...}`);
    const places = new Set<string>();
    for (const target of targets) {
      const account = target.account;
      if (account !== undefined) {
        const rule = typeof account === 'string' ? accountIdRule(account) : 'must be a string';
        if (rule) problems.push(`${at} has an invalid account ${JSON.stringify(account)}: ${rule}`);
      }
      const region = target.region;
      if (region !== undefined) {
        const rule = typeof region === 'string' ? stageRegionRule(region, pipelineRegion) : 'must be a string';
        if (rule) problems.push(`${at} has an invalid region ${JSON.stringify(region)}: ${rule}`);
      }
      const place = `${account ?? 'the pipeline account'}, ${region ?? pipelineRegion ?? 'the pipeline region'}`;
      if (places.has(place)) problems.push(`${at} is invalid: two targets in one account and region (${place}) would deploy the same stack twice`);
      places.add(place);
    }
    // Two actions per target (change set, then execute), the change sets all in parallel; with an approval also each
    // target's review and the one approval between them.
    const perTarget = stage.approval === true ? 3 : 2;
    const most = Math.floor((CODEPIPELINE_QUOTAS.actionsPerStage - (perTarget - 2)) / perTarget);
    if (targets.length > most) {
      problems.push(`${at} has ${targets.length} targets: CodePipeline allows ${CODEPIPELINE_QUOTAS.actionsPerStage} actions in a stage (${CODEPIPELINE_QUOTAS.parallelActions} in parallel), ${perTarget === 3 ? 'three per target (change set, review, execute) and the approval' : 'two per target'}, so at most ${most} targets`);
    }
  });
  return problems;
}

/**
 * The pipeline's stages: Source and Build; with selfUpdate UpdatePipeline and the broadening gate before it; per stage
 * its deploy stage (an approval runs inside it), its tests, and before a stage without an approval the broadening
 * gate (Review<Stage>, then on V2 an Approve<Target>Broadening per target). stages.test.ts compares it with the
 * rendered pipeline.
 */
export function pipelineStageCount(stages: StageAnswer[], { selfUpdate, approveBroadening, pipelineType }: { selfUpdate: boolean; approveBroadening: boolean; pipelineType: string }): number {
  const gate = (targets: number) => (approveBroadening ? 1 + (pipelineType === 'V2' ? targets : 0) : 0);
  return 2 + (selfUpdate ? 1 + gate(1) : 0)
    + stages.reduce((sum, stage) => sum + 1 + (stage.tests ? 1 : 0) + (stage.approval ? 0 : gate(stage.targets?.length ?? 1)), 0);
}

export function pipelineStageCountProblem(stages: StageAnswer[], settings: Parameters<typeof pipelineStageCount>[1]): string | undefined {
  const count = pipelineStageCount(stages, settings);
  return count > CODEPIPELINE_QUOTAS.stagesPerPipeline
    ? `stages is invalid: the pipeline would have ${count} stages (Source, Build${settings.selfUpdate ? ', UpdatePipeline' : ''}, and per stage its deploy and tests${settings.approveBroadening ? ', and the review and approval of the broadening gate before a stage without an approval' : ''}) and CodePipeline allows ${CODEPIPELINE_QUOTAS.stagesPerPipeline}`
    : undefined;
}

/**
 * What today's keys say of a stage list, for the code that asks only "are there integration tests, an approval, a
 * traffic shift?" (the build project, the files written, the warnings); the list itself is what the renderers read.
 */
export function summaryKeysOf(stages: StageAnswer[]): { integrationTests: boolean; manualApproval: boolean; production: boolean; prodDeployment?: ProdDeployment } {
  const shifting = stages.find((stage) => (stage.deployment ?? 'AllAtOnce') !== 'AllAtOnce');
  return {
    integrationTests: stages.some((stage) => stage.tests === true),
    manualApproval: stages.some((stage) => stage.approval === true),
    production: stages.length > 1,
    ...(shifting ? { prodDeployment: shifting.deployment } : {}),
  };
}

/**
 * A name the release would hold twice: a stage of the list named like one the pipeline or the CI adds for another
 * (Review<Stage>, Approve<Target>Broadening, <Stage>IntegrationTests, GitHub's <stage>-iam environment). Checked on
 * what was rendered (exit 2, nothing written).
 */
export function repeatedNames(what: string, names: string[]): string | undefined {
  const repeated = [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
  return repeated.length > 0
    ? `stages is invalid: the ${what} would hold ${repeated.join(', ')} twice: a stage is named like one added for another stage (its review, approval or tests); rename it`
    : undefined;
}
