// One definition per answer: it feeds the prompt, the CLI flag, the answers-file key, the JSON Schema,
// the validator and the saved .yo-rc.json, so those can never drift apart.
import {
  BUILD_IMAGES, CI_HOSTS, CI_SYSTEMS, DEFAULT_IMAGE, DEPRECATED_PYTHON, DEFAULT_PYTHON, DEFAULT_REGION, PIPELINE_TYPES, PROD_DEPLOYMENTS,
  PYTHON_VERSIONS, REGIONS, SOURCES, type CiSystem, type ExternalCi, type ProdDeployment, type Source,
} from '../facts/aws.js';
import {
  ACCOUNT_ID_PATTERN, APP_NAME_PATTERN, BRANCH_CHARS_PATTERN, CONNECTION_ARN_PATTERN, EMAIL_PATTERN, STACK_NAME_PATTERN,
  accountIdRule, appNameRule, branchRule, connectionArnRule, emailRule, imageRule, pythonVersionRule, regionRule,
  repositoryRule, stackNameRule, stageRegionRule,
} from './rules.js';
import type { StageAnswer } from './stage-list.js';

export interface Answers {
  appName: string;
  pythonVersion: string;
  region: string;
  ci: CiSystem;
  /** Only with ci codepipeline (an external CI's code lives on its own host). */
  source: Source;
  repository: string;
  connectionArn?: string;
  branch: string;
  pipelineStackName: string;
  codebuildImage: string;
  pipelineType: 'V1' | 'V2';
  unitTests: boolean;
  integrationTests: boolean;
  production: boolean;
  manualApproval: boolean;
  approvalEmail?: string;
  /** Absent without production. */
  prodDeployment?: ProdDeployment;
  notificationEmail?: string;
  selfUpdate: boolean;
  /** A stage without an approval stops for one anyway when its change widens IAM permissions. */
  approveBroadening: boolean;
  /** Unset: the pipeline's own account. */
  betaAccountId?: string;
  /** Unset: `region`. */
  betaRegion?: string;
  prodAccountId?: string;
  prodRegion?: string;
  /** The promotion path (lib/answers/stage-list.ts); unset: today's keys describe beta and prod. */
  stages?: StageAnswer[];
}
export type AnswerKey = keyof Answers;
/** A list only for `stages` (from a file or .yo-rc.json; a flag or prompt gives its names as "dev,staging,prod"). */
export type AnswerValue = string | boolean | StageAnswer[];
export type PartialAnswers = Partial<Record<AnswerKey, AnswerValue>>;

export interface Setting {
  key: AnswerKey;
  /** The CLI flag, kebab-case of the key. */
  flag: string;
  kind: 'string' | 'boolean' | 'choice' | 'list';
  choices?: readonly string[];
  /** One line for --help and the schema. */
  description: string;
  /** The prompt: a short question ("App name?"), worded after the answers before it when it depends on them. */
  question: string | ((known: PartialAnswers) => string);
  /** The value as the rules read it, from what a person types ("2222-2222-2222" -> "222222222222"); every layer. */
  normalise?: (value: string) => string;
  /** Readable labels for some choices in the prompt (the value is what is saved and given as a flag). */
  choiceLabels?: Readonly<Record<string, string>>;
  /**
   * A pipeline detail: asked only after "Customise the pipeline?" is answered yes (its default otherwise).
   * A detail without a default (required, nobody answered) is asked anyway.
   */
  pipelineDetail?: boolean;
  /** Regular expression for the JSON Schema (the rule function is the authority). */
  pattern?: string;
  /** Default given what is known so far; undefined means the answer is required (or optional, see `optional`). */
  defaultValue?: (known: PartialAnswers, env: NodeJS.ProcessEnv) => AnswerValue | undefined;
  /** Where the default came from when it is not built in (an environment variable), named in messages. */
  defaultOrigin?: (env: NodeJS.ProcessEnv) => string | undefined;
  /** An optional answer may stay unset (connectionArn, approvalEmail). */
  optional?: boolean;
  /** Whether the question applies given the other answers (asked, validated and saved only then). */
  applies?: (known: PartialAnswers) => boolean;
  /** When it applies, in words (for the warning when a given answer is ignored). */
  appliesWhen?: string;
  /** Given while it does not apply is an error (exit 2), not a warning: a prod account without a prod stage. */
  onlyWhenApplies?: boolean;
  /**
   * Left out of .yo-rc.json while it has its default, and taken as saved when a .yo-rc.json lacks it: a repository
   * generated before the setting existed stays byte-identical and is not asked it again.
   */
  savedOnlyWhenChanged?: boolean;
  /** The rule a value breaks, or undefined; rules that need other answers get them in `known`. */
  rule?: (value: string, known: PartialAnswers) => string | undefined;
  /** Describes stage beta or prod of the two-stage shape: a `stages` list replaces it (not asked, not saved then). */
  shorthand?: boolean;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
/** The release runs on CodePipeline (the default): the pipeline's own settings apply only then. */
const onCodePipeline = (known: PartialAnswers) => (known.ci ?? 'codepipeline') === 'codepipeline';
/** An external CI (a known one: an unknown value is reported on its own). */
const externalCi = (known: PartialAnswers): ExternalCi | undefined =>
  (known.ci !== 'codepipeline' && (CI_SYSTEMS as readonly AnswerValue[]).includes(known.ci as AnswerValue) ? known.ci as ExternalCi : undefined);
// An unknown source (reported on its own) is not a connection, so it does not make repository a missing answer.
const isConnection = (known: PartialAnswers) => {
  const source = known.source ?? 'codecommit';
  return onCodePipeline(known) && source !== 'codecommit' && (SOURCES as readonly AnswerValue[]).includes(source);
};
/** Where the repository lives: CodeCommit, a connection's provider, or the external CI's host. */
const repositoryHost = (known: PartialAnswers): Source => {
  const ci = externalCi(known);
  if (ci) return CI_HOSTS[ci].source;
  return isConnection(known) ? (known.source as Source) : 'codecommit';
};
const codePipelineOnly = { applies: onCodePipeline, appliesWhen: 'ci codepipeline' };

function define(setting: Omit<Setting, 'flag'>): Setting {
  return { ...setting, flag: kebab(setting.key) };
}

export const SETTINGS: readonly Setting[] = [
  define({
    key: 'appName', question: 'App name?', kind: 'string', pattern: APP_NAME_PATTERN,
    description: 'Chalice app_name; names the folder, the repository and the stacks',
    rule: appNameRule,
  }),
  define({
    key: 'pythonVersion', question: 'Python version?', kind: 'choice', choices: PYTHON_VERSIONS,
    choiceLabels: Object.fromEntries(Object.keys(DEPRECATED_PYTHON).map((version) => [version, `${version} (Lambda end of life soon)`])),
    description: 'Lambda runtime and CodeBuild runtime-versions python',
    defaultValue: () => DEFAULT_PYTHON, rule: pythonVersionRule,
  }),
  define({
    key: 'region', question: 'AWS region of the pipeline?', kind: 'string', choices: REGIONS,
    description: 'AWS region of the pipeline (and of the clone URLs)',
    defaultValue: (_known, env) => env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_REGION,
    defaultOrigin: (env) => (env.AWS_REGION ? '$AWS_REGION' : env.AWS_DEFAULT_REGION ? '$AWS_DEFAULT_REGION' : undefined),
    rule: regionRule,
  }),
  define({
    key: 'ci', question: 'What runs the release?', kind: 'choice', choices: CI_SYSTEMS, savedOnlyWhenChanged: true,
    choiceLabels: {
      codepipeline: 'AWS CodePipeline (in your AWS account)',
      'github-actions': 'GitHub Actions (the code on GitHub, signed in to AWS with OIDC)',
      'gitlab-ci': 'GitLab CI/CD (the code on GitLab, signed in to AWS with OIDC)',
    },
    description: 'What runs the release: CodePipeline, or GitHub Actions / GitLab CI/CD signed in to AWS with OIDC (ci-access.json)',
    defaultValue: () => 'codepipeline',
  }),
  define({
    key: 'source', question: 'Where does the code live?', kind: 'choice', choices: SOURCES, ...codePipelineOnly,
    choiceLabels: {
      codecommit: 'AWS CodeCommit (the stack creates the repository)',
      github: 'GitHub (through a CodeConnections connection)',
      gitlab: 'GitLab (through a CodeConnections connection)',
      bitbucket: 'Bitbucket (through a CodeConnections connection)',
    },
    description: 'Where the code lives: CodeCommit, or GitHub/GitLab/Bitbucket through a CodeConnections connection',
    defaultValue: () => 'codecommit',
  }),
  define({
    key: 'repository', pipelineDetail: true, kind: 'string',
    question: (known) => {
      const host = repositoryHost(known);
      if (host === 'codecommit') return 'CodeCommit repository name?';
      return host === 'gitlab' ? 'GitLab repository? (group/repo or group/subgroup/repo)' : `${host === 'github' ? 'GitHub' : 'Bitbucket'} repository? (owner/repo)`;
    },
    description: 'CodeCommit repository name, or owner/repo for a connection source or GitHub Actions (GitLab: the project path)',
    defaultValue: (known) => (repositoryHost(known) === 'codecommit' ? known.appName : undefined),
    rule: (value, known) => repositoryRule(value, repositoryHost(known)),
  }),
  define({
    key: 'connectionArn', question: 'Existing CodeConnections connection ARN? (Enter: the stack creates one)', pipelineDetail: true, kind: 'string', pattern: CONNECTION_ARN_PATTERN, optional: true,
    description: 'An existing CodeConnections connection ARN (without it the stack creates a PENDING connection)',
    applies: isConnection, appliesWhen: 'a github, gitlab or bitbucket source', rule: connectionArnRule,
  }),
  define({
    key: 'branch', question: 'Branch the pipeline releases?', pipelineDetail: true, kind: 'string', pattern: BRANCH_CHARS_PATTERN,
    description: 'The branch the pipeline releases',
    defaultValue: () => 'main', rule: branchRule,
  }),
  define({
    key: 'pipelineStackName', question: 'Name of the pipeline stack?', pipelineDetail: true, kind: 'string', pattern: STACK_NAME_PATTERN,
    description: 'The CloudFormation stack `make deploy` creates',
    defaultValue: (known) => (known.appName !== undefined ? `${known.appName}-pipeline` : undefined), rule: stackNameRule, ...codePipelineOnly,
  }),
  define({
    key: 'codebuildImage', question: 'CodeBuild image?', pipelineDetail: true, kind: 'choice', choices: BUILD_IMAGES.map((image) => image.name),
    choiceLabels: Object.fromEntries(BUILD_IMAGES.map((image) => [image.name, `${image.name} (${image.arm ? 'ARM' : 'x86_64'})`])),
    description: 'CodeBuild image; must provide pythonVersion',
    defaultValue: () => DEFAULT_IMAGE,
    rule: (value, known) => {
      // An invalid pythonVersion is reported on its own; then only whether the image exists is checked.
      const python = String(known.pythonVersion ?? DEFAULT_PYTHON);
      return imageRule(value, pythonVersionRule(python) ? undefined : python);
    }, ...codePipelineOnly,
  }),
  define({
    key: 'pipelineType', question: 'CodePipeline type?', pipelineDetail: true, kind: 'choice', choices: PIPELINE_TYPES,
    choiceLabels: { V1: 'V1 (the older type)', V2: 'V2 (branch triggers, the current type)' },
    description: 'CodePipeline type', defaultValue: () => 'V2', ...codePipelineOnly,
  }),
  define({
    key: 'unitTests', question: 'Run the unit tests before deploying?', pipelineDetail: true, kind: 'boolean', description: 'Run the unit tests in the build before anything deploys',
    defaultValue: () => true,
  }),
  define({
    key: 'stages', question: 'Stages? (names in promotion order, separated by commas; Enter: beta, prod)', pipelineDetail: true, kind: 'list', optional: true,
    description: 'The promotion path: stages in order, each {"name", "account", "region" or "targets": [{"account", "region"}], "approval", "tests", "deployment"}; the flag gives the names (dev,staging,prod). Replaces integrationTests, production, manualApproval, prodDeployment and the beta/prod account and region',
  }),
  define({
    key: 'integrationTests', shorthand: true, question: 'Run integration tests against beta?', pipelineDetail: true, kind: 'boolean', description: 'Run integration tests against the beta endpoint',
    defaultValue: () => true,
  }),
  define({
    key: 'production', shorthand: true, question: 'Add a production stage after beta?', pipelineDetail: true, kind: 'boolean', description: 'Add a production stage after beta',
    defaultValue: () => true,
  }),
  define({
    key: 'manualApproval', shorthand: true, question: 'Manual approval before production?', pipelineDetail: true, kind: 'boolean', description: 'Require a manual approval before production',
    defaultValue: () => true, applies: (known) => known.production !== false, appliesWhen: 'production',
  }),
  define({
    key: 'approvalEmail', question: 'E-mail to notify when an approval waits? (Enter: none)', pipelineDetail: true, kind: 'string', pattern: EMAIL_PATTERN, optional: true,
    description: 'E-mail notified (SNS) when an approval waits',
    applies: (known) => onCodePipeline(known) && ((known.stages !== undefined && known.stages !== '') || (known.production !== false && known.manualApproval !== false)),
    appliesWhen: 'ci codepipeline, and a stage list or production and manualApproval', rule: emailRule,
  }),
  define({
    key: 'prodDeployment', shorthand: true, question: 'How does production take a new version?', pipelineDetail: true, kind: 'choice', choices: PROD_DEPLOYMENTS,
    choiceLabels: {
      AllAtOnce: 'AllAtOnce (every request at once, as beta)',
      Canary10Percent5Minutes: 'Canary10Percent5Minutes (10 % for 5 minutes, then all; rolls back on errors)',
      Linear10PercentEvery1Minute: 'Linear10PercentEvery1Minute (10 % more each minute; rolls back on errors)',
    },
    description: 'How production takes a new version: AllAtOnce, or a CodeDeploy canary/linear shift that rolls back on error alarms',
    defaultValue: () => 'AllAtOnce', applies: (known) => known.production !== false, appliesWhen: 'production',
  }),
  define({
    key: 'notificationEmail', pipelineDetail: true, kind: 'string', pattern: EMAIL_PATTERN, optional: true,
    // Enter takes the default: with an approval address that is the address, so "none" is how to say none.
    question: (known) => (known.approvalEmail
      ? `E-mail to tell when the pipeline fails? (Enter: ${String(known.approvalEmail)}; none: type none)`
      : 'E-mail to tell when the pipeline fails? (Enter: none)'),
    normalise: (value) => (value.trim().toLowerCase() === 'none' ? '' : value),
    description: 'E-mail told (SNS) when a pipeline execution fails ("none" for none)',
    // A blank approvalEmail (saved as "" when skipped) is no address to default to.
    defaultValue: (known) => known.approvalEmail || undefined, rule: emailRule, ...codePipelineOnly,
  }),
  define({
    key: 'selfUpdate', question: 'Let the pipeline update itself from pipeline.json on the branch?', pipelineDetail: true, kind: 'boolean',
    description: 'Let the pipeline update its own stack from pipeline.json on the branch (anyone who can push can then change it)',
    defaultValue: () => false, ...codePipelineOnly,
  }),
  define({
    key: 'approveBroadening', question: 'Stop for an approval when a release widens IAM permissions?', pipelineDetail: true, kind: 'boolean',
    description: 'A stage without a manual approval (and the self-update) stops for one anyway when its change widens IAM permissions (a new action, resource, principal or iam:PassRole, a removed condition)',
    defaultValue: () => true,
  }),
  ...stagePlacement('beta', 'Beta'),
  ...stagePlacement('prod', 'Production'),
];

/** Where a stage deploys: its account and region (unset: the pipeline's own), asked only for a stage that exists. */
function stagePlacement(stage: 'beta' | 'prod', title: string): Setting[] {
  const name = stage === 'beta' ? 'beta' : 'production';
  const exists = stage === 'prod'
    ? { applies: (known: PartialAnswers) => known.production !== false, appliesWhen: 'production (the prod stage exists only then)', onlyWhenApplies: true }
    : {};
  return [
    define({
      key: `${stage}AccountId`, shorthand: true, question: `AWS account of ${name}? (Enter: the pipeline's own)`, pipelineDetail: true, kind: 'string', pattern: ACCOUNT_ID_PATTERN, optional: true, ...exists,
      description: `${title} stage's AWS account id, if not the pipeline's own (deploy target-account.json there first)`,
      // As the console shows it (1111-2222-3333) or pasted with spaces: the digits are the id.
      normalise: (value) => (/^[\d\s-]+$/.test(value) ? value.replace(/[\s-]/g, '') : value),
      rule: accountIdRule,
    }),
    define({
      key: `${stage}Region`, shorthand: true, question: `AWS region of ${name}? (Enter: the pipeline's region)`, pipelineDetail: true, kind: 'string', choices: REGIONS, optional: true, ...exists,
      description: `${title} stage's AWS region, if not the pipeline's region`,
      rule: (value, known) => stageRegionRule(value, typeof known.region === 'string' ? known.region : undefined),
    }),
  ];
}

export const SETTING_KEYS = SETTINGS.map((setting) => setting.key);

export function settingFor(key: string): Setting | undefined {
  return SETTINGS.find((setting) => setting.key === key);
}
