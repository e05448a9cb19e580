// AWS facts the generated repository depends on (see shared reference aws-facts.md, late 2026).
// Kept as plain data so the validators, the JSON Schema and the template all read the same table.

/** Python versions Chalice 1.33 supports; the first two are at or past Lambda end of life. */
export const PYTHON_VERSIONS = ['3.10', '3.11', '3.12', '3.13', '3.14'] as const;
export const DEPRECATED_PYTHON: Record<string, string> = {
  '3.10': 'Lambda python3.10 is deprecated (2026): creating functions is blocked soon; prefer 3.13',
  '3.11': 'Lambda python3.11 is at end of life in 2026-2027; prefer 3.13',
};
export const DEFAULT_PYTHON = '3.13';

export interface BuildImage {
  name: string;
  python: readonly string[];
  arm: boolean;
}

const py = (from: number, to = 14) => PYTHON_VERSIONS.filter((v) => {
  const minor = Number(v.split('.')[1]);
  return minor >= from && minor <= to;
});

/** Curated CodeBuild images that provide Python through `runtime-versions`. */
export const BUILD_IMAGES: readonly BuildImage[] = [
  { name: 'aws/codebuild/amazonlinux-x86_64-standard:5.0', python: py(10), arm: false },
  { name: 'aws/codebuild/amazonlinux-x86_64-standard:6.0', python: py(10), arm: false },
  { name: 'aws/codebuild/standard:7.0', python: py(10), arm: false },
  { name: 'aws/codebuild/standard:8.0', python: py(10), arm: false },
  { name: 'aws/codebuild/amazonlinux-aarch64-standard:3.0', python: py(10), arm: true },
  { name: 'aws/codebuild/amazonlinux-aarch64-standard:4.0', python: py(10), arm: true },
];
export const DEFAULT_IMAGE = 'aws/codebuild/amazonlinux-x86_64-standard:5.0';
export const RETIRED_IMAGES = [
  'aws/codebuild/amazonlinux2-x86_64-standard:3.0',
  'aws/codebuild/amazonlinux2023-x86_64-standard:5.0',
];

/** Region codes of the commercial, China and GovCloud partitions. */
export const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3',
  'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ap-northeast-1', 'ap-northeast-2',
  'ap-northeast-3',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1',
  'il-central-1', 'me-south-1', 'me-central-1', 'mx-central-1', 'sa-east-1',
  'cn-north-1', 'cn-northwest-1',
  'us-gov-east-1', 'us-gov-west-1',
] as const;
export const DEFAULT_REGION = 'us-east-1';

/** DNS suffix of a region's endpoints (the China partition differs). */
export function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

export const SOURCES = ['codecommit', 'github', 'gitlab', 'bitbucket'] as const;
export type Source = (typeof SOURCES)[number];

/** CodeConnections provider types and the web host a git remote points at. */
export const CONNECTION_PROVIDERS: Record<Exclude<Source, 'codecommit'>, { providerType: string; host: string }> = {
  github: { providerType: 'GitHub', host: 'github.com' },
  gitlab: { providerType: 'GitLab', host: 'gitlab.com' },
  bitbucket: { providerType: 'Bitbucket', host: 'bitbucket.org' },
};

/**
 * What runs the release: CodePipeline in the pipeline's account, or the CI of the host the code lives on, signed in to
 * AWS with OIDC (the host's issuer and the audience its AWS sign-in uses).
 */
export const CI_SYSTEMS = ['codepipeline', 'github-actions', 'gitlab-ci'] as const;
export type CiSystem = (typeof CI_SYSTEMS)[number];
export type ExternalCi = Exclude<CiSystem, 'codepipeline'>;
export const CI_HOSTS: Record<ExternalCi, { source: 'github' | 'gitlab'; host: string; issuer: string; audience: string }> = {
  'github-actions': { source: 'github', host: 'github.com', issuer: 'token.actions.githubusercontent.com', audience: 'sts.amazonaws.com' },
  'gitlab-ci': { source: 'gitlab', host: 'gitlab.com', issuer: 'gitlab.com', audience: 'sts.amazonaws.com' },
};

export const PIPELINE_TYPES = ['V1', 'V2'] as const;

/** Chalice versions the generated requirements-dev.txt allows (1.33 is the first with 3.14 support). */
export const CHALICE_RANGE = '>=1.33.0,<2.0.0';

/** Longest name of each named thing the pipeline stack and the app stacks hold (the services' API references). */
export const NAME_LIMITS = {
  stack: 128,
  changeSet: 128,
  codeCommitRepository: 100,
  codeBuildProject: 255,
  codeBuildReportGroup: 128,
  pipeline: 100,
  connection: 32,
  notificationRule: 64,
  /** IAM roles the templates name (the ones another account trusts or a stack passes by name). */
  role: 64,
  snsDisplayName: 100,
  /** Lambda functions, IAM roles and EventBridge rules: what CloudFormation names in a Chalice app stack. */
  generatedInAppStack: 64,
  logGroup: 512,
} as const;

/**
 * How many characters of the stack name survive in a name CloudFormation generates for an unnamed resource under a
 * service limit. It names it `<stack>-<logicalId>-<12 random>`; a name too long for the limit keeps 13 characters for
 * the random tail and its hyphen and splits the rest around one more hyphen between the stack name and the logical
 * ID, the stack's half rounding up (25 + 25 for 64-character IAM role names). AWS does not document this; it is what
 * the names CloudFormation produced show, and a policy scoped by name prefix must not assume more of the stack name.
 */
export function stackCharsKept(limit: number): number {
  return Math.ceil((limit - 14) / 2);
}

/**
 * Longest Chalice app_name this generator accepts. Chalice 1.33 checks nothing about app_name, but `chalice deploy`
 * names the API handler function and its role `<app_name>-<stage>` (chalice/deploy/appgraph.py), and Lambda and IAM
 * allow 64 characters: with the `dev` stage every Chalice project starts with, at most 60 characters deploy.
 */
export const CHALICE_APP_NAME_MAX = 64 - '-dev'.length;

/**
 * How CodeDeploy moves a Lambda alias to a new version: the SAM `DeploymentPreference.Type` values, each naming the
 * predefined config `CodeDeployDefault.Lambda<Type>`. AllAtOnce here means no traffic shifting at all.
 */
export const PROD_DEPLOYMENTS = [
  'AllAtOnce',
  'Canary10Percent5Minutes', 'Canary10Percent10Minutes', 'Canary10Percent15Minutes', 'Canary10Percent30Minutes',
  'Linear10PercentEvery1Minute', 'Linear10PercentEvery2Minutes', 'Linear10PercentEvery3Minutes', 'Linear10PercentEvery10Minutes',
] as const;
export type ProdDeployment = (typeof PROD_DEPLOYMENTS)[number];
