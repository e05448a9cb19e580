// Renders the EJS template trees (templates/app, templates/pipeline) into path -> contents.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import { dnsSuffix } from '../facts/aws.js';
import { REVIEW_BUILDSPEC, type Project } from '../answers/project.js';
import { packageBucketVariable } from '../cloudformation/pipeline/build.js';
import { appStages, projectDeployRole, readsOutputsArtifact } from '../cloudformation/pipeline/deploy.js';
import { codeDeployRoleName, elsewhere, otherRegions, regionId } from '../cloudformation/pipeline/placement.js';
import { reviewedTargets } from '../cloudformation/pipeline/review.js';
import { CHALICE_FEATURES } from '../facts/chalice-features.js';
import { ALIAS_SCRIPT_PATH, MERGE_TEMPLATE_PATH, shiftingStages, shiftingTargets } from '../cloudformation/pipeline/traffic-shifting.js';
import { MAKE_BLOCK_END, MAKE_BLOCK_START, type MakeTargets } from './makefile.js';
import { CODEPIPELINE_ONLY_FILES, EXTERNAL_CI_ONLY_FILES } from './ci/files.js';
import { ciAccessMakeTarget } from './ci/ci-access-target.js';
import { ciReadmeData } from './ci/readme.js';
import type { Markers } from './marked-block.js';
import { guideMarkdown } from './guide.js';

/** The README's pipeline section (diagram, stages, parameters, deploy role) is regenerated in place on every run. */
export const README_MARKERS: Markers = {
  file: 'README.md',
  start: '<!-- >>> chalice-pipeline: generated section, re-running the generator replaces it >>> -->',
  end: '<!-- <<< chalice-pipeline <<< -->',
};

export const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url));

export type TemplateTree = 'app' | 'pipeline';

/** Files of a tree that only some answers want. */
function wanted(path: string, project: Project): boolean {
  if (CODEPIPELINE_ONLY_FILES.includes(path) && project.externalCi) return false;
  if (EXTERNAL_CI_ONLY_FILES.includes(path)) return project.externalCi !== undefined;
  if (path === 'buildspec-integration.yml' || path.startsWith('tests/integration/')) return project.integrationTests;
  if (path === ALIAS_SCRIPT_PATH) return project.shiftsTraffic;
  if (path === REVIEW_BUILDSPEC) return project.buildspecs.includes(REVIEW_BUILDSPEC);
  return true;
}

/** Quoting for values placed in generated code (values are validated too; this keeps them literal). */
const helpers = {
  py: (value: string) => JSON.stringify(value),
  yaml: (value: string) => JSON.stringify(value),
};

/**
 * `aws cloudformation package` options of a stage: its region's bucket, and (once any stage is in another region)
 * the region itself, so each stage's code lands where its functions are.
 */
function packageOptions(project: Project, stage: { region?: string }): string {
  const region = otherRegions(project).length > 0 ? `--region ${stage.region ?? project.region} ` : '';
  return `${region}--s3-bucket "$${packageBucketVariable(stage.region)}"`;
}

const testedTargets = (project: Project) => project.placements.filter((placement) => project.release.stages.some((stage) => stage.tests && stage.name === placement.chaliceStage));

/** Makefile targets these answers have no use for (not written, not .PHONY). */
function unusedMakeTargets(project: Project): string[] {
  if (project.externalCi) return ['target-account', 'deploy', 'outputs', 'status', 'destroy'];
  return ['ci-access', ...(project.placements.some((placement) => placement.accountId) ? [] : ['target-account'])];
}

export interface RenderOptions {
  targets: MakeTargets;
  /** The app serves the generated routes (/ and /health), so the integration tests can check them exactly. */
  generatedRoutes: boolean;
}

export function renderTree(tree: TemplateTree, project: Project, options: RenderOptions): Map<string, string> {
  const root = join(TEMPLATES_DIR, tree);
  const data = {
    ...project,
    ...helpers,
    connectionArn: project.connectionArn ?? '',
    // The `stages` answer, when the release was given as a list (null: today's two-stage keys).
    stages: project.stages ?? null,
    approvalEmail: project.approvalEmail ?? '',
    notificationEmail: project.notificationEmail ?? '',
    grcUrl: project.grcUrl ?? '',
    // What the Build stage packages: one template per stage and region (a wave's targets in one region share it).
    appStages: appStages(project).filter((stage, index, all) => all.findIndex((other) => other.template === stage.template) === index)
      .map((stage) => ({ ...stage, packageOptions: packageOptions(project, stage) })),
    // What `chalice package` runs for: one per stage (a wave's targets share it).
    packagedStages: appStages(project).filter((stage, index, all) => all.findIndex((other) => other.chaliceStage === stage.chaliceStage) === index),
    // An external CI has no pipeline stack: its target accounts get ci-access.json instead of target-account.json.
    externalCi: project.externalCi ?? '',
    targetStages: project.externalCi ? [] : project.placements.filter((placement) => placement.accountId),
    reviewedTargets: reviewedTargets(project).map((stage) => stage.stage),
    unusedTargets: unusedMakeTargets(project),
    ciAccessTarget: project.externalCi ? ciAccessMakeTarget(project, options.targets) : '',
    ci: project.externalCi ? ciReadmeData(project) : undefined,
    /** Stage name -> its targets in other accounts, for make target-account STAGE=<name>. */
    targetAccountStages: project.externalCi ? [] : [...new Set(project.placements.filter((placement) => placement.accountId).map((placement) => placement.chaliceStage))]
      .map((name) => ({ name, targets: project.placements.filter((placement) => placement.accountId && placement.chaliceStage === name) })),
    testedStages: project.release.stages.filter((stage) => stage.tests).map((stage) => ({ ...stage, placement: project.placements.find((placement) => placement.chaliceStage === stage.name)! })),
    shiftingTargets: shiftingTargets(project),
    codeDeployRoleName,
    // The README's traffic-shifting section tells the first stage that shifts (prod for today's keys).
    prodDeployment: project.prodDeployment ?? shiftingStages(project)[0]?.deployment,
    prodStack: shiftingStages(project).length > 0 ? project.appStacks[shiftingStages(project)[0].name].value : project.prodStack,
    otherRegions: otherRegions(project).map(({ region }) => ({ region, id: regionId(region) })),
    betaElsewhere: elsewhere(project.placements[0]),
    // The integration tests of beta in the pipeline's account and region read its outputs artifact; every other tested
    // target gets ENDPOINT_URL (and EXPECTED_STAGE) from the pipeline.
    testsReadArtifact: testedTargets(project).some(readsOutputsArtifact),
    testsMixed: testedTargets(project).some((target) => !readsOutputsArtifact(target)),
    cfnTemplates: project.externalCi ? ['ci-access.json'] : ['pipeline.json', ...(project.placements.some((p) => p.accountId) ? ['target-account.json'] : []), ...(otherRegions(project).length > 0 ? ['pipeline-region.json'] : [])],

    // The deploy role's coverage and exceptions: the Build stage's check and the README's "Deploy role" read them.
    deployRole: projectDeployRole(project),
    featureNames: Object.fromEntries(CHALICE_FEATURES.map((feature) => [feature.id, `${feature.title} (${feature.source})`])),
    chaliceFeatures: CHALICE_FEATURES,
    mergeTemplatePath: MERGE_TEMPLATE_PATH,
    aliasScriptPath: ALIAS_SCRIPT_PATH,
    dnsSuffix: dnsSuffix(project.region),
    t: options.targets,
    generatedRoutes: options.generatedRoutes,
    makeBlockStart: MAKE_BLOCK_START,
    makeBlockEnd: MAKE_BLOCK_END,
    readmeBlockStart: README_MARKERS.start,
    readmeBlockEnd: README_MARKERS.end,
    // Only the README uses it (the guide computes the cost estimate from the templates).
    get teamGuide() {
      return guideMarkdown(project, options.targets);
    },
  };
  const files = new Map<string, string>();
  for (const path of listFiles(root)) {
    if (!wanted(path, project)) continue;
    const template = readFileSync(join(root, path), 'utf8');
    files.set(path, ejs.render(template, data, { filename: join(root, path), strict: false }));
  }
  return files;
}

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    // Python's byte-code caches (a template script run in place) are no template.
    .filter((entry) => entry.isFile() && !entry.parentPath.split(/[\\/]/).includes('__pycache__'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}
