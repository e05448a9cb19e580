// What the pipeline costs a month, computed from the answers and the templates they give (not the app's own Lambda
// and API Gateway traffic): each line with its quantity, unit price and amount, and the assumptions said.
import type { Project } from '../answers/project.js';
import { shiftsTraffic } from '../answers/release.js';
import { pipelineTemplate } from '../cloudformation/pipeline/template.js';
import { pipelineRegionTemplate } from '../cloudformation/pipeline-region.js';
import { targetAccountTemplate } from '../cloudformation/target-account.js';
import { otherRegions } from '../cloudformation/pipeline/placement.js';
import { BUILD_IMAGES } from '../facts/aws.js';

/** List prices in us-east-1 (USD), as of PRICE_DATE; other regions differ by a few percent. */
export const PRICE_DATE = '2026-12-06';
export const PRICES = {
  pipelineV1PerMonth: 1.0,
  pipelineV2PerActionMinute: 0.002,
  buildMinuteX86Small: 0.005,
  buildMinuteArmSmall: 0.0034,
  kmsKeyPerMonth: 1.0,
  s3PerGbMonth: 0.023,
  s3PerThousandRequests: 0.005,
  alarmPerMonth: 0.1,
} as const;

/** Minutes a release takes, stage by stage (a small app; measure yours in the pipeline's history). */
export const MINUTES = {
  source: 1,
  build: 4,
  integrationTests: 2,
  deploy: 3,
  selfUpdate: 1,
} as const;

/** Per release: what the buckets keep (artifacts for 90 days, packaged code of each stage as long as deployed). */
const ARTIFACT_MB = 10;
const PACKAGE_MB_PER_STAGE = 2;
const S3_REQUESTS_PER_RELEASE = 50;
export const DEFAULT_RELEASES_PER_MONTH = 20;

export interface CostLine {
  item: string;
  quantity: string;
  amount: number;
}

export interface CostEstimate {
  releasesPerMonth: number;
  lines: CostLine[];
  total: number;
  assumptions: string[];
}

/** How long CodeDeploy takes to shift a stage's traffic (its deploy action waits for it). */
export function shiftMinutes(deployment: string | undefined): number {
  const canary = /^Canary10Percent(\d+)Minutes$/.exec(deployment ?? '');
  if (canary) return Number(canary[1]);
  const linear = /^Linear10PercentEvery(\d+)Minutes?$/.exec(deployment ?? '');
  return linear ? 10 * Number(linear[1]) : 0;
}

const count = (resources: Record<string, { Type: string }>, type: string) => Object.values(resources).filter((r) => r.Type === type).length;
const cents = (amount: number) => Math.round(amount * 100) / 100;

export function monthlyCost(project: Project, releasesPerMonth = DEFAULT_RELEASES_PER_MONTH): CostEstimate {
  const n = releasesPerMonth;
  const { stages } = project.release;
  // Every target of a wave is an action of its own, billed by the minute even while they run side by side.
  const deploys = stages.reduce((sum, stage) => sum + stage.targets.length, 0);
  const testRuns = stages.reduce((sum, stage) => sum + (stage.tests ? stage.targets.length : 0), 0);
  const shifting = stages.filter(shiftsTraffic).flatMap((stage) => stage.targets.map(() => shiftMinutes(stage.deployment)));
  const shiftTotal = shifting.reduce((sum, minutes) => sum + minutes, 0);
  const buildMinutes = MINUTES.build + testRuns * MINUTES.integrationTests;
  // Action minutes: each action from start to end; the manual approval is not billed.
  const actionMinutes = MINUTES.source + (project.selfUpdate ? MINUTES.selfUpdate : 0) + buildMinutes + MINUTES.deploy * deploys + shiftTotal;
  const arm = BUILD_IMAGES.find((image) => image.name === project.codebuildImage)?.arm ?? false;
  const buildPrice = arm ? PRICES.buildMinuteArmSmall : PRICES.buildMinuteX86Small;
  const targets = project.placements.filter((placement) => placement.accountId).length;
  const regions = otherRegions(project).length;
  const keys = count(pipelineTemplate(project).Resources, 'AWS::KMS::Key')
    + (targets > 0 ? targets * count(targetAccountTemplate(project).Resources as never, 'AWS::KMS::Key') : 0)
    + (regions > 0 ? regions * count(pipelineRegionTemplate(project).Resources as never, 'AWS::KMS::Key') : 0);
  const storedGb = (n * (3 * ARTIFACT_MB + 12 * PACKAGE_MB_PER_STAGE * stages.length)) / 1024;
  const lines: CostLine[] = [
    project.pipelineType === 'V1'
      ? { item: 'CodePipeline V1', quantity: '1 active pipeline', amount: PRICES.pipelineV1PerMonth }
      : { item: 'CodePipeline V2', quantity: `${n} releases x ${actionMinutes} action minutes = ${n * actionMinutes} minutes`, amount: n * actionMinutes * PRICES.pipelineV2PerActionMinute },
    { item: `CodeBuild (${arm ? 'arm1' : 'general1'}.small)`, quantity: `${n} releases x ${buildMinutes} build minutes = ${n * buildMinutes} minutes`, amount: n * buildMinutes * buildPrice },
    { item: 'KMS customer managed keys', quantity: `${keys} key${keys === 1 ? '' : 's'}`, amount: keys * PRICES.kmsKeyPerMonth },
    {
      item: 'S3 (artifacts and packaged code)',
      quantity: `${storedGb.toFixed(2)} GB after a year, ${n * S3_REQUESTS_PER_RELEASE} requests`,
      amount: storedGb * PRICES.s3PerGbMonth + (n * S3_REQUESTS_PER_RELEASE * PRICES.s3PerThousandRequests) / 1000,
    },
    { item: 'SNS e-mail', quantity: `${[project.approvalEmail, project.notificationEmail].filter(Boolean).length} subscriptions`, amount: 0 },
  ];
  // Two error alarms watch each shifting target (the function through the alias, and the new version alone).
  if (shifting.length > 0) lines.push({ item: 'CloudWatch alarms (traffic shifting)', quantity: `${2 * shifting.length} alarms`, amount: 2 * shifting.length * PRICES.alarmPerMonth });
  const rounded = lines.map((line) => ({ ...line, amount: cents(line.amount) }));
  return {
    releasesPerMonth: n,
    lines: rounded,
    total: cents(rounded.reduce((sum, line) => sum + line.amount, 0)),
    assumptions: [
      `${n} releases a month; a release takes ${MINUTES.source} min of source, ${MINUTES.build} min of build${testRuns > 0 ? `, ${MINUTES.integrationTests} min per integration-test run (${testRuns})` : ''}, ${MINUTES.deploy} min per deploy (${deploys})${shiftTotal > 0 ? ` plus ${shiftTotal} min of traffic shifting` : ''}${project.selfUpdate ? `, ${MINUTES.selfUpdate} min of self-update` : ''}; the manual approval is not billed`,
      `S3: ${ARTIFACT_MB} MB of artifacts per release (expired after 90 days) and ${PACKAGE_MB_PER_STAGE} MB of packaged code per stage (kept); requests at the PUT price`,
      `list prices in us-east-1 on ${PRICE_DATE}, before free tiers (CodePipeline, CodeBuild, SNS's first 1,000 e-mails, CodeCommit's first 5 users); CodeConnections costs nothing`,
      'not counted: the app itself (Lambda, API Gateway, CloudWatch Logs of the functions and builds), data transfer',
    ],
  };
}

/** The estimate as a Markdown section (the generated README or PIPELINE.md). */
export function costMarkdown(project: Project): string[] {
  const estimate = monthlyCost(project);
  return [
    `About **$${estimate.total.toFixed(2)} a month** for ${estimate.releasesPerMonth} releases (the answers' pipeline; re-run the generator after changing them):`,
    '',
    '| item | quantity | USD a month |',
    '|---|---|---|',
    ...estimate.lines.map((line) => `| ${line.item} | ${line.quantity} | ${line.amount.toFixed(2)} |`),
    `| total | | ${estimate.total.toFixed(2)} |`,
    '',
    ...estimate.assumptions.map((assumption) => `- ${assumption}`),
  ];
}
