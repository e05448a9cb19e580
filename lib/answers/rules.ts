// Validation rules for answer values. Each returns undefined when the value is fine, else the rule it broke,
// worded so it can follow "<key> <value> is invalid: ".
import { createHash } from 'node:crypto';
import { BUILD_IMAGES, CHALICE_APP_NAME_MAX, PYTHON_VERSIONS, REGIONS, RETIRED_IMAGES, type Source } from '../facts/aws.js';

/** Longest app name: the longest Chalice can deploy (derived names that would not fit are shortened: project.ts). */
export const APP_NAME_MAX = CHALICE_APP_NAME_MAX;
/** Letters, digits and "-", a letter first, no "-" last (the schema and the template's AllowedPattern say so too). */
export const APP_NAME_PATTERN = `^[A-Za-z](?:[A-Za-z0-9-]{0,${APP_NAME_MAX - 2}}[A-Za-z0-9])?$`;
export const STACK_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9-]{0,127}$';
export const CODECOMMIT_REPO_PATTERN = '^[A-Za-z0-9_.-]{1,100}$';
export const PROVIDER_REPO_PATTERN = '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$';
export const BRANCH_CHARS_PATTERN = '^[A-Za-z0-9._/-]{1,200}$';
export const EMAIL_PATTERN =
  '^[A-Za-z0-9_%+-]+(?:\\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.)+[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$';
export const ACCOUNT_ID_PATTERN = '^[0-9]{12}$';
export const CONNECTION_ARN_PATTERN =
  '^arn:aws(-cn|-us-gov)?:(codeconnections|codestar-connections):[a-z]{2}(-gov)?-[a-z]+-\\d:\\d{12}:connection/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

const matches = (pattern: string, value: string) => new RegExp(pattern).test(value);

export function appNameRule(value: string): string | undefined {
  if (matches(APP_NAME_PATTERN, value)) return undefined;
  return `must start with a letter, contain only letters, digits and "-", not end with "-", and be at most ${APP_NAME_MAX} characters (\`chalice deploy\` names the function <appName>-dev, and Lambda allows 64)`;
}

/**
 * Every app_name Chalice can deploy: `chalice deploy` names the function <app_name>-<stage>, and Lambda allows letters,
 * digits, "-" and "_" (64 characters, so at most 60 with the dev stage every Chalice project starts with).
 */
export const CHALICE_APP_NAME_PATTERN = `^[A-Za-z0-9_-]{1,${APP_NAME_MAX}}$`;

export function chaliceAppNameRule(value: string): string | undefined {
  if (matches(CHALICE_APP_NAME_PATTERN, value)) return undefined;
  return `must contain only letters, digits, "-" and "_" and be at most ${APP_NAME_MAX} characters (\`chalice deploy\` names the function <app_name>-dev, and Lambda allows these in 64)`;
}

/**
 * The appName the pipeline names its AWS resources after (stacks, roles, projects: letters, digits and "-"), for an
 * app_name Chalice can deploy; the app_name itself is never changed. A name valid as appName is kept as it is (no
 * new names for apps that adopted the pipeline before); otherwise "_" becomes "-", a trailing "-" goes, a name not
 * starting with a letter gets "app-" before it, and one then too long is cut with a hash of the whole name.
 */
export function awsAppName(chaliceName: string): string {
  if (matches(APP_NAME_PATTERN, chaliceName)) return chaliceName;
  let name = chaliceName.replaceAll('_', '-').replace(/-+$/, '');
  if (!/^[A-Za-z]/.test(name)) name = name.replace(/^-+/, '') === '' ? 'app' : `app-${name.replace(/^-+/, '')}`;
  if (name.length <= APP_NAME_MAX) return name;
  const hash = createHash('sha256').update(chaliceName).digest('hex').slice(0, 6);
  return `${name.slice(0, APP_NAME_MAX - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

export function stackNameRule(value: string): string | undefined {
  return matches(STACK_NAME_PATTERN, value)
    ? undefined
    : 'must start with a letter and contain only letters, digits and "-" (at most 128 characters), as CloudFormation stack names do';
}

export function pythonVersionRule(value: string): string | undefined {
  return (PYTHON_VERSIONS as readonly string[]).includes(value)
    ? undefined
    : `must be one of ${PYTHON_VERSIONS.join(', ')} (the Python versions both Chalice 1.33 and Lambda support)`;
}

export function regionRule(value: string): string | undefined {
  if ((REGIONS as readonly string[]).includes(value)) return undefined;
  const hint = closest(value, REGIONS);
  return `must be an AWS region code such as us-east-1${hint ? ` (did you mean ${hint}?)` : ''}`;
}

/** The partition a region belongs to: a stage cannot leave the pipeline's partition (no role or key crosses it). */
export function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** A stage's region: any AWS region of the pipeline's partition. */
export function stageRegionRule(value: string, pipelineRegion: string | undefined): string | undefined {
  const problem = regionRule(value);
  if (problem) return problem;
  if (pipelineRegion !== undefined && !regionRule(pipelineRegion) && partitionOf(value) !== partitionOf(pipelineRegion)) {
    return `must be in the pipeline's partition (${partitionOf(pipelineRegion)}, region ${pipelineRegion}): CodePipeline cannot deploy across partitions`;
  }
  return undefined;
}

export function accountIdRule(value: string): string | undefined {
  return matches(ACCOUNT_ID_PATTERN, value) ? undefined : 'must be an AWS account id: exactly 12 digits, quoted in YAML (e.g. "123456789012")';
}

/** git check-ref-format rules for a branch, narrowed to characters that are safe in YAML, make and shell. */
export function branchRule(value: string): string | undefined {
  const rule =
    'must be a valid git branch name (git check-ref-format) made of letters, digits, ".", "_", "-" and "/": ' +
    'no "..", "//" or "@{", no part starting with "." or ending with ".lock", not starting with "-" or "/", not ending with "/" or "."';
  if (!matches(BRANCH_CHARS_PATTERN, value)) return rule;
  if (value.startsWith('-') || value.startsWith('/') || value.endsWith('/') || value.endsWith('.')) return rule;
  if (value.includes('..') || value.includes('//') || value === '@') return rule;
  // `git check-ref-format --branch HEAD` fails: HEAD names the checked-out commit, never a branch.
  if (value === 'HEAD') return `${rule}, and not HEAD`;
  if (value.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'))) return rule;
  return undefined;
}

export function emailRule(value: string): string | undefined {
  return matches(EMAIL_PATTERN, value) && value.length <= 254
    ? undefined
    : 'must be an e-mail address such as team@example.com (letters, digits and ._%+- before the @, no leading, trailing or double ".", a domain with a dot after it)';
}

export function repositoryRule(value: string, source: Source): string | undefined {
  // "." and ".." name folders, not repositories (and would walk up a clone URL path).
  const dotsOnly = value.split('/').some((part) => part === '.' || part === '..');
  if (source === 'codecommit') {
    return matches(CODECOMMIT_REPO_PATTERN, value) && !value.endsWith('.git') && !dotsOnly
      ? undefined
      : 'must be a CodeCommit repository name: letters, digits, ".", "_" and "-", at most 100 characters, not ending in ".git", not "." or ".."';
  }
  const nested = source === 'gitlab';
  const ok = matches(PROVIDER_REPO_PATTERN, value) && (nested || value.split('/').length === 2) && !dotsOnly;
  return ok
    ? undefined
    : `must be "owner/repo"${nested ? ' (or "group/subgroup/repo")' : ''} for a ${source} source: letters, digits, ".", "_" and "-" on each side of the "/" (not "." or "..")`;
}

export function connectionArnRule(value: string): string | undefined {
  return matches(CONNECTION_ARN_PATTERN, value)
    ? undefined
    : 'must be a CodeConnections ARN: arn:aws:codeconnections:<region>:<12-digit account>:connection/<uuid> (codestar-connections is accepted too)';
}

/** pythonVersion undefined: only check that the image is a curated one (the version is reported on its own). */
export function imageRule(value: string, pythonVersion: string | undefined): string | undefined {
  const names = BUILD_IMAGES.map((image) => image.name);
  if (RETIRED_IMAGES.includes(value)) return `is retired or not a documented CodeBuild image; use one of ${names.join(', ')}`;
  const image = BUILD_IMAGES.find((candidate) => candidate.name === value);
  if (!image) return `must be a curated CodeBuild image that provides Python through runtime-versions: ${names.join(', ')}`;
  if (pythonVersion !== undefined && !image.python.includes(pythonVersion)) {
    return `does not provide Python ${pythonVersion} (it has ${image.python.join(', ')}); pick another image or Python version`;
  }
  return undefined;
}

/** The candidate nearest to value by edit distance, when it is near enough to be a likely typo. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.floor(value.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
