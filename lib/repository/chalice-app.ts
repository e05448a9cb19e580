// What a Chalice app uses, read from its .chalice/config.json (per deployed stage, per function, top level: Chalice's
// own lookup order) and its Python sources (app.py, chalicelib/**): the facts the deploy role is tailored to.
import { join } from 'node:path';
import {
  CHALICE_FEATURES, NEW_APP, UNPACKAGEABLE_S3_EVENTS, featureTitle, type ChaliceAppFacts, type ChaliceFeatureId, type CustomDomain,
} from '../facts/chalice-features.js';
import type { Project } from '../answers/project.js';
import { awsAppName } from '../answers/rules.js';
import { projectDeployRole } from '../cloudformation/pipeline/deploy.js';
import { parseChaliceConfig, type ChaliceConfig } from './repo-files.js';

type Read = (path: string) => string | undefined;
type List = (folder: string) => string[];
type Settings = Record<string, unknown>;

/** Decorators (on the app or a blueprint) and the feature each one means. */
const DECORATORS: Record<string, ChaliceFeatureId | 's3-event'> = {
  route: 'routes', authorizer: 'authorizer', schedule: 'schedule', on_cw_event: 'cw-event', on_sqs_message: 'sqs',
  on_sns_message: 'sns', on_kinesis_record: 'kinesis', on_dynamodb_record: 'dynamodb', lambda_function: 'pure-function',
  on_ws_connect: 'websocket', on_ws_message: 'websocket', on_ws_disconnect: 'websocket', on_s3_event: 's3-event',
};
const DECORATOR_LINE = new RegExp(`^\\s*@\\s*[A-Za-z_][\\w.]*\\.(${Object.keys(DECORATORS).join('|')})\\s*(\\(|$)`);

const isSettings = (value: unknown): value is Settings => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The settings scopes of the deployed stages, each a lookup chain as Chalice searches it: a function's settings in
 * the stage, the stage, the function's top-level settings, the top level. `stage` holds the chains of the stages
 * themselves (settings that vary per stage only, like custom domains; also the functions without settings of their own).
 */
function settingChains(config: ChaliceConfig, stages: string[]): { stage: Settings[][]; all: Settings[][] } {
  const top = config as Settings;
  const topFunctions = isSettings(top.lambda_functions) ? top.lambda_functions : {};
  const stage: Settings[][] = [];
  const all: Settings[][] = [];
  for (const name of stages) {
    const settings = isSettings(config.stages?.[name]) ? (config.stages[name] as Settings) : {};
    const stageFunctions = isSettings(settings.lambda_functions) ? settings.lambda_functions : {};
    stage.push([settings, top]);
    all.push([settings, top]);
    for (const fn of new Set([...Object.keys(stageFunctions), ...Object.keys(topFunctions)])) {
      all.push([stageFunctions[fn], settings, topFunctions[fn], top].filter(isSettings));
    }
  }
  return { stage, all };
}

const lookup = (chain: Settings[], key: string): unknown => chain.find((settings) => settings[key] !== undefined && settings[key] !== null)?.[key];
const strings = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');
const unique = <T>(values: T[]) => [...new Set(values)];

/** The app's Python files: app.py and everything below chalicelib/ (a few levels deep). */
function pythonFiles(list: List): string[] {
  const walk = (folder: string, depth: number): string[] => list(folder).flatMap((name) => {
    const path = `${folder}/${name}`;
    if (name.endsWith('.py')) return [path];
    return depth > 0 && !name.startsWith('.') && name !== '__pycache__' ? walk(path, depth - 1) : [];
  });
  return ['app.py', ...walk('chalicelib', 4)];
}

/** Features the decorators in the sources use, and where @app.on_s3_event appears (file:line). */
function decoratorFeatures(read: Read, list: List): { features: ChaliceFeatureId[]; s3Events: string[] } {
  const features: ChaliceFeatureId[] = [];
  const s3Events: string[] = [];
  for (const file of pythonFiles(list)) {
    for (const [index, line] of (read(file) ?? '').split('\n').entries()) {
      const decorator = DECORATOR_LINE.exec(line)?.[1];
      if (!decorator) continue;
      const feature = DECORATORS[decorator];
      if (feature === 's3-event') s3Events.push(`${file}:${index + 1}`);
      else features.push(feature);
    }
  }
  return { features, s3Events };
}

/** What the app uses in the given stages (beta, prod): config and sources. An app without config is a new app. */
export function readChaliceApp(read: Read, list: List, stages: string[]): ChaliceAppFacts {
  const text = read('.chalice/config.json');
  if (text === undefined) return NEW_APP;
  const config = parseChaliceConfig(text);
  const { stage: stageChains, all: chains } = settingChains(config, stages);
  const { features, s3Events } = decoratorFeatures(read, list);
  const uses = (key: string, test: (value: unknown) => boolean = (value) => value !== undefined && value !== false) =>
    chains.some((chain) => test(lookup(chain, key)));
  if (uses('log_retention_in_days')) features.push('log-retention');
  if (uses('xray', (value) => value === true)) features.push('xray');
  if (uses('reserved_concurrency')) features.push('reserved-concurrency');
  if (uses('automatic_layer', (value) => value === true)) features.push('managed-layer');
  if (uses('layers', (value) => strings(value).length > 0)) features.push('team-layers');
  if (uses('subnet_ids', (value) => strings(value).length > 0)) features.push('vpc');
  if (uses('api_gateway_endpoint_type', (value) => value === 'PRIVATE')) features.push('private-api');
  const managed = chains.filter((chain) => lookup(chain, 'manage_iam_role') !== false);
  const preCreated = chains.filter((chain) => lookup(chain, 'manage_iam_role') === false);
  const roleArns = unique(preCreated.flatMap((chain) => strings(lookup(chain, 'iam_role_arn'))));
  if (roleArns.length > 0) features.push('precreated-role');
  const restDomains: CustomDomain[] = [];
  for (const chain of stageChains) {
    const domain = lookup(chain, 'api_gateway_custom_domain');
    if (isSettings(domain) && typeof domain.domain_name === 'string' && !restDomains.some((d) => d.name === domain.domain_name)) {
      restDomains.push({ name: domain.domain_name, edge: (lookup(chain, 'api_gateway_endpoint_type') ?? 'EDGE') === 'EDGE' });
    }
  }
  const websocketDomains = unique(stageChains.flatMap((chain) => {
    const domain = lookup(chain, 'websocket_api_custom_domain');
    return isSettings(domain) && typeof domain.domain_name === 'string' ? [domain.domain_name] : [];
  }));
  if (restDomains.length > 0) features.push('rest-domain');
  if (websocketDomains.length > 0) features.push('websocket-domain');
  const found = new Set(features);
  return {
    features: CHALICE_FEATURES.map((feature) => feature.id).filter((id) => found.has(id)),
    stackRoles: managed.length > 0,
    roleArns,
    layerArns: unique(chains.flatMap((chain) => strings(lookup(chain, 'layers')))),
    restDomains,
    websocketDomains,
    s3Events,
    ...(typeof config.app_name === 'string' && awsAppName(config.app_name) !== config.app_name ? { chaliceName: config.app_name } : {}),
  };
}

/** The app in folder `root` on a disk, for the stages the pipeline deploys. */
export function chaliceAppIn(root: string, disk: { read(path: string): string | undefined; list(path: string): string[] }, stages: string[]): ChaliceAppFacts {
  return readChaliceApp((path) => disk.read(join(root, path)), (folder) => disk.list(join(root, folder)), stages);
}

/** Said before anything is written: `chalice package` refuses @app.on_s3_event, so the Build stage would fail. */
export function s3EventProblem(app: ChaliceAppFacts): string | undefined {
  if (app.s3Events.length === 0) return undefined;
  return `${app.s3Events.join(', ')}: ${UNPACKAGEABLE_S3_EVENTS.decorator} cannot be packaged by \`chalice package\` (CloudFormation cannot change `
    + `the notifications of an existing bucket), so the pipeline's Build stage would fail; instead, ${UNPACKAGEABLE_S3_EVENTS.instead}`;
}

/** The Chalice features found and what the deploy role grants for each, for the run's report. */
export function deployRoleReport(project: Project): string[] {
  const role = projectDeployRole(project);
  const found = project.chaliceApp.features;
  const lines = [`Chalice features found: ${found.length > 0 ? found.map(featureTitle).join(', ') : 'none'}`, `the deploy role (${project.externalCi ? 'each target\'s DeployRole in ci-access.json' : 'CFNDeployRole'}) grants, for each:`];
  for (const feature of found) {
    const grants = role.grants.filter((grant) => grant.feature === feature).map((grant) => grant.grants);
    lines.push(`  ${featureTitle(feature)}: ${grants.length > 0 ? unique(grants).join('; ') : 'nothing (not deployable by this pipeline)'}`);
  }
  const more = role.coverage.features.filter((feature) => !found.includes(feature));
  if (more.length > 0) lines.push(`  and, so the app can grow without a new role: ${more.map(featureTitle).join(', ')}`);
  return lines;
}
