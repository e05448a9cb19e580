// A buildspec run as CodeBuild runs it, on this machine: the YAML parsed, the phases' commands run in order in one
// shell (so `cd` and exports carry over, as in buildspec 0.2), each command's exit status checked, with the
// environment variables CodeBuild documents plus the project's own (read from the generated pipeline.json).
// https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html
// https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import YAML from 'yaml';
import type { Json, Resource } from '../../lib/cloudformation/cfn.js';
import { pythonEnv, repositoryCopy } from './chalice.js';
import type { S3Server } from './moto-s3.js';
import { runCommand } from './processes.js';
import { newRepositoryFiles, templateFor } from './tools.js';
import type { PartialAnswers } from '../../lib/answers/settings.js';

export const PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;
export type Phase = (typeof PHASES)[number];

interface Buildspec {
  version: number;
  env?: { shell?: string; variables?: Record<string, string | number>; 'exported-variables'?: string[]; [other: string]: unknown };
  phases: Partial<Record<Phase, { 'runtime-versions'?: Record<string, string>; commands?: string[]; [other: string]: unknown }>>;
  artifacts?: { files: string[]; 'base-directory'?: string };
  reports?: Record<string, { files: string[]; 'base-directory'?: string }>;
}

export interface BuildspecRun {
  status: number | null;
  /** The shell's output, with CodeBuild-style "[Container]" lines naming each phase and command. */
  output: string;
  /** The phase whose command failed (CodeBuild's upper-case name, e.g. BUILD), if one did. */
  failedPhase?: string;
  /** `runtime-versions` of the install phase: this machine's python3 stands in for the image's. */
  runtimeVersions: Record<string, string>;
  /** Files the buildspec's `artifacts` and `reports` name that the build did not produce. */
  missingOutputs: string[];
  /** The values of `env.exported-variables` at the end of the build (what CodePipeline reads as #{Namespace.NAME}). */
  exported: Record<string, string>;
}

export interface BuildspecOptions {
  /** The source folder: the build runs in it and writes into it, so pass a copy. */
  source: string;
  /** The buildspec file in the source folder. */
  buildspec?: string;
  /**
   * The phases to run, in CodeBuild's order; post_build runs even when build failed, as in CodeBuild. By default
   * pre_build and build: install sets up the image's Python and downloads the requirements from PyPI, which these
   * machines cannot reach; this machine's python3, with Chalice and pytest, stands in for its result.
   */
  phases?: Phase[];
  /** The project's environment variables (see projectEnvironment) and any others. */
  env?: Record<string, string>;
  /** CodeBuild project name, for CODEBUILD_BUILD_ID and friends. */
  project?: string;
  timeoutMs?: number;
}

/** Keys of a buildspec this emulation does not implement: a run fails loudly instead of ignoring them. */
const UNSUPPORTED_ENV = ['parameter-store', 'secrets-manager', 'git-credential-helper'];
const UNSUPPORTED_PHASE = ['on-failure', 'finally', 'run-as'];

/** Runs the phases of a buildspec in a source folder as CodeBuild would on a Linux image. */
export async function runBuildspec(options: BuildspecOptions): Promise<BuildspecRun> {
  const spec = YAML.parse(readFileSync(join(options.source, options.buildspec ?? 'buildspec.yml'), 'utf8')) as Buildspec;
  if (spec.version !== 0.2) throw new Error(`buildspec version ${spec.version}: only 0.2 is emulated`);
  const unsupported = [
    ...UNSUPPORTED_ENV.filter((key) => spec.env?.[key] !== undefined).map((key) => `env.${key}`),
    ...Object.entries(spec.phases).flatMap(([phase, body]) => UNSUPPORTED_PHASE.filter((key) => body?.[key] !== undefined).map((key) => `phases.${phase}.${key}`)),
  ];
  if (unsupported.length > 0) throw new Error(`the CodeBuild emulation does not implement ${unsupported.join(', ')}: extend test/support/codebuild.ts`);
  const wanted = options.phases ?? ['pre_build', 'build'];
  const project = options.project ?? 'Build';
  const exportedPath = join(options.source, `.codebuild-exported-${randomUUID()}`);
  const script = buildScript(spec, wanted, exportedPath);
  const scriptPath = join(options.source, `.codebuild-${randomUUID()}.sh`);
  writeFileSync(scriptPath, script);
  const variables = Object.fromEntries(Object.entries(spec.env?.variables ?? {}).map(([name, value]) => [name, String(value)]));
  try {
    const run = await runCommand(spec.env?.shell ?? 'sh', [scriptPath], {
      cwd: options.source,
      env: pythonEnv({ ...codeBuildVariables(project, options.source), ...variables, ...options.env }),
      timeoutMs: options.timeoutMs ?? 180_000,
    });
    const failedPhase = /Phase complete: (\w+) State: FAILED/.exec(run.output)?.[1];
    const exported = existsSync(exportedPath)
      ? Object.fromEntries(readFileSync(exportedPath, 'utf8').split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]))
      : {};
    return {
      status: run.status,
      output: run.output,
      failedPhase,
      runtimeVersions: spec.phases.install?.['runtime-versions'] ?? {},
      missingOutputs: run.status === 0 ? missingOutputs(spec, options.source) : [],
      exported,
    };
  } finally {
    rmSync(scriptPath, { force: true });
    rmSync(exportedPath, { force: true });
  }
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * One shell function per phase; each command runs as written, then its exit status decides (as CodeBuild does for
 * each entry of `commands`). The first failing phase ends the build, except that post_build still runs after build.
 */
function buildScript(spec: Buildspec, wanted: Phase[], exportedPath: string): string {
  const lines: string[] = [];
  const present = PHASES.filter((phase) => wanted.includes(phase) && spec.phases[phase]);
  for (const phase of present) {
    const name = phase.toUpperCase();
    lines.push(`phase_${phase}() {`, `  echo ${quote(`[Container] Entering phase ${name}`)} >&2`);
    for (const command of spec.phases[phase]!.commands ?? []) {
      lines.push(
        `  echo ${quote(`[Container] Running command ${command}`)} >&2`,
        command,
        `  status=$?; if [ "$status" -ne 0 ]; then echo ${quote(`[Container] Command did not exit successfully ${command}`)}" exit status $status" >&2; ` +
          `echo ${quote(`[Container] Phase complete: ${name} State: FAILED`)} >&2; return "$status"; fi`,
      );
    }
    lines.push(`  echo ${quote(`[Container] Phase complete: ${name} State: SUCCEEDED`)} >&2`, '}');
  }
  const before = present.filter((phase) => phase !== 'post_build');
  lines.push(before.length > 0 ? before.map((phase) => `phase_${phase}`).join(' && ') : 'true', 'result=$?');
  if (present.includes('post_build')) {
    // CodeBuild runs post_build after a failed build phase too, telling it through CODEBUILD_BUILD_SUCCEEDING.
    lines.push('if [ "$result" -eq 0 ]; then CODEBUILD_BUILD_SUCCEEDING=1; else CODEBUILD_BUILD_SUCCEEDING=0; fi', 'export CODEBUILD_BUILD_SUCCEEDING');
    lines.push('phase_post_build || result=$?');
  }
  // CodeBuild reads the exported variables once the phases ran (one line each: a value of ours has no line break).
  for (const name of spec.env?.['exported-variables'] ?? []) lines.push(`printf '%s=%s\\n' ${quote(name)} "$${name}" >> ${quote(exportedPath)}`);
  lines.push('exit "$result"');
  return `${lines.join('\n')}\n`;
}

/** The variables CodeBuild sets in every build started by CodePipeline (values shaped like the real ones). */
export function codeBuildVariables(project: string, source: string): Record<string, string> {
  const buildId = `${project}:${randomUUID()}`;
  return {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    CODEBUILD_BUILD_ID: buildId,
    CODEBUILD_BUILD_ARN: `arn:aws:codebuild:us-east-1:123456789012:build/${buildId}`,
    CODEBUILD_BUILD_NUMBER: '1',
    CODEBUILD_BUILD_IMAGE: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
    CODEBUILD_BUILD_SUCCEEDING: '1',
    CODEBUILD_INITIATOR: `codepipeline/${project.replace(/Build$|IntegrationTests$/, '')}Pipeline`,
    CODEBUILD_SRC_DIR: source,
    CODEBUILD_SOURCE_VERSION: 'arn:aws:s3:::artifact-bucket/source/SourceArti/abc1234',
    CODEBUILD_RESOLVED_SOURCE_VERSION: '0123456789abcdef0123456789abcdef01234567',
    CODEBUILD_START_TIME: String(Date.now()),
    CODEBUILD_LOG_PATH: randomUUID(),
    CODEBUILD_BUILD_URL: `https://us-east-1.console.aws.amazon.com/codebuild/home?region=us-east-1#/builds/${encodeURIComponent(buildId)}/view/new`,
  };
}

function missingOutputs(spec: Buildspec, source: string): string[] {
  const named = [
    ...(spec.artifacts?.files ?? []).map((file) => join(spec.artifacts?.['base-directory'] ?? '', file)),
    ...Object.values(spec.reports ?? {}).flatMap((report) => report.files.map((file) => join(report['base-directory'] ?? '', file))),
  ];
  // Globs (**/*) are not expanded: a buildspec of ours names its outputs exactly.
  return named.filter((path) => !path.includes('*') && !existsSync(join(source, path)));
}

/**
 * The environment variables a CodeBuild project of the pipeline template sets, with each `Ref` resolved from refs
 * (e.g. ApplicationBucket -> the test's bucket); an unresolved intrinsic is an error, not a silent gap.
 */
export function projectEnvironment(resource: Resource | undefined, refs: Record<string, string>): Record<string, string> {
  if (resource?.Type !== 'AWS::CodeBuild::Project') throw new Error('projectEnvironment needs an AWS::CodeBuild::Project resource');
  const variables = ((resource.Properties?.Environment as { EnvironmentVariables?: Json[] })?.EnvironmentVariables ?? []) as { Name: string; Value: Json }[];
  return Object.fromEntries(variables.map(({ Name, Value }) => {
    if (typeof Value === 'string') return [Name, Value];
    const target = (Value as { Ref?: string }).Ref;
    if (target === undefined || refs[target] === undefined) throw new Error(`${Name}: cannot resolve ${JSON.stringify(Value)} (give refs.${target ?? '?'})`);
    return [Name, refs[target]];
  }));
}

export interface PackageBuild {
  run: BuildspecRun;
  /** The source copy the build ran in (removed by the caller through cleanup()). */
  source: string;
  bucket: string;
  /** Packaged templates named by the buildspec's artifacts (transformed-beta.yaml, ...), parsed. */
  templates: Map<string, Record<string, unknown>>;
  cleanup(): void;
}

/**
 * The Build stage of the generated pipeline for a set of answers (or given repository files): a copy of the
 * repository, a bucket on the moto server as the stack's ApplicationBucket, the AppPackageBuild project's variables,
 * then pre_build and build of buildspec.yml (unit tests, `chalice package`, `aws cloudformation package`).
 */
export async function runPackageBuild(s3: S3Server, answers: PartialAnswers = {}, files = newRepositoryFiles(answers)): Promise<PackageBuild> {
  const source = repositoryCopy(files, 'cp-build-');
  const bucket = `app-${randomUUID()}`;
  await s3.createBucket(bucket);
  const template = templateFor(answers);
  const projectName = `${String(template.Parameters.ApplicationName?.Default)}Build`;
  const run = await runBuildspec({
    source, project: projectName,
    // A stage in another region packages into that region's bucket (a pipeline.json parameter): the same test bucket.
    env: {
      ...projectEnvironment(template.Resources.AppPackageBuild, {
        ApplicationBucket: bucket, ...Object.fromEntries(Object.keys(template.Parameters).filter((name) => name.endsWith('PackageBucket')).map((name) => [name, bucket])),
      }),
      ...s3.env,
    },
  });
  const templates = new Map<string, Record<string, unknown>>();
  if (run.status === 0) {
    const spec = YAML.parse(files.get('buildspec.yml')!) as Buildspec;
    for (const file of spec.artifacts?.files ?? []) templates.set(file, YAML.parse(readFileSync(join(source, file), 'utf8')) as Record<string, unknown>);
  }
  return { run, source, bucket, templates, cleanup: () => rmSync(source, { recursive: true, force: true }) };
}
