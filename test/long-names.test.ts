// Long app names: the longest name Chalice can deploy is accepted, every name the pipeline derives from it fits its
// AWS limit (shortened deterministically where it would not), and the deploy role's name scopes match the names
// CloudFormation gives the functions, roles and rules of the app stacks, proven on an app packaged by the real
// Chalice, uploaded to moto's S3 and expanded by the SAM translator.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APP_NAME_MAX, appNameRule } from '../lib/answers/rules.js';
import { shortAppName } from '../lib/answers/project.js';
import { NAME_LIMITS } from '../lib/facts/aws.js';
import type { Json, Resource } from '../lib/cloudformation/cfn.js';
import type { PipelineTemplate } from '../lib/cloudformation/pipeline/template.js';
import { targetAccountTemplate } from '../lib/cloudformation/target-account.js';
import type { PartialAnswers } from '../lib/answers/settings.js';
import { pythonEnv, repositoryCopy } from './support/chalice.js';
import { runPackageBuild, type PackageBuild } from './support/codebuild.js';
import { startS3Server, type S3Server } from './support/moto-s3.js';
import { allows, roleStatements, type IamStatement } from './support/iam-policy.js';
import { runCommand } from './support/processes.js';
import type { CfnTemplate } from './support/security-rules.js';
import { cloudFormationName, expandServerless, type ExpandedTemplate } from './support/sam.js';
import {
  CONNECTION_ARN, LONGEST_APP_NAME, cfnLint, newRepositoryFiles, projectFor, readTree, runCliInProcess, tempDir, templateFor, writeTree,
} from './support/tools.js';
import { newProjectRepo } from './support/fixtures.js';

const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012', 'AWS::StackName': 'pipeline-stack' };

/** A string value of the template with Fn::Sub resolved from the parameter defaults (undefined for other intrinsics). */
function resolve(template: PipelineTemplate, value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  const text = (value as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'];
  if (typeof text !== 'string') return undefined;
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) =>
    String(template.Parameters[name]?.Default ?? PSEUDO[name as keyof typeof PSEUDO] ?? whole));
}

/** Every name pipeline.json gives (resolved), with the limit of what it names. */
function namesOf(template: PipelineTemplate): { what: string; name: string; limit: number }[] {
  const named: { what: string; name: string | undefined; limit: number }[] = [];
  const props = (resource: Resource) => resource.Properties ?? {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    const p = props(resource);
    const add = (key: string, limit: number) => named.push({ what: `${id}.${key}`, name: resolve(template, p[key]), limit });
    if (resource.Type === 'AWS::CodeConnections::Connection') add('ConnectionName', NAME_LIMITS.connection);
    if (resource.Type === 'AWS::CodeBuild::Project') add('Name', NAME_LIMITS.codeBuildProject);
    if (resource.Type === 'AWS::CodeBuild::ReportGroup') add('Name', NAME_LIMITS.codeBuildReportGroup);
    if (resource.Type === 'AWS::CodePipeline::Pipeline') add('Name', NAME_LIMITS.pipeline);
    if (resource.Type === 'AWS::Logs::LogGroup') add('LogGroupName', NAME_LIMITS.logGroup);
    if (resource.Type === 'AWS::SNS::Topic') add('DisplayName', NAME_LIMITS.snsDisplayName);
    if (resource.Type === 'AWS::IAM::Role' && p.RoleName !== undefined) add('RoleName', NAME_LIMITS.role);
    if (resource.Type === 'AWS::CodePipeline::Pipeline') {
      for (const stage of p.Stages as { Actions: { Name: string; Configuration: Record<string, Json> }[] }[]) {
        for (const action of stage.Actions) {
          // The self-update stage changes the pipeline's own stack (Ref AWS::StackName), checked above.
          if (JSON.stringify(action.Configuration.StackName) === '{"Ref":"AWS::StackName"}') continue;
          for (const [key, limit] of [['StackName', NAME_LIMITS.stack], ['ChangeSetName', NAME_LIMITS.changeSet]] as const) {
            if (action.Configuration[key] !== undefined) named.push({ what: `${action.Name}.${key}`, name: resolve(template, action.Configuration[key]), limit });
          }
        }
      }
    }
  }
  if (template.Parameters.RepositoryName) named.push({ what: 'RepositoryName', name: String(template.Parameters.RepositoryName.Default), limit: NAME_LIMITS.codeCommitRepository });
  for (const entry of named) assert.ok(entry.name, `${entry.what} did not resolve`);
  return named as { what: string; name: string; limit: number }[];
}

const variantsAt = (appName: string): PartialAnswers[] => [
  { appName, approvalEmail: 'ops@example.com' },
  // Roles named for another account to trust or a stack to pass (target-account.json is checked with pipeline.json).
  { appName, prodAccountId: '222222222222', prodDeployment: 'Canary10Percent5Minutes' },
  { appName, betaAccountId: '333333333333', production: false },
  { appName, prodAccountId: '222222222222', prodRegion: 'eu-west-1', selfUpdate: true },
  { appName, source: 'github', repository: 'acme/orders', pipelineType: 'V1' },
  { appName, source: 'gitlab', repository: 'acme/orders', connectionArn: CONNECTION_ARN },
];

describe('long app names', () => {
  it(`the longest app_name is the longest Chalice 1.33 can deploy: chalice deploy names the function and role <app_name>-dev (64 characters at ${APP_NAME_MAX})`, async () => {
    // Chalice's own resource graph of a new project at the longest name, as `chalice deploy --stage dev` builds it.
    const root = repositoryCopy(new Map(Object.entries(newProjectRepo(LONGEST_APP_NAME))), 'cp-chalice-names-');
    try {
      const graph = await runCommand('python3', ['-c', [
        'from chalice.cli.factory import CLIFactory',
        'from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder',
        'from chalice.deploy import models',
        "config = CLIFactory('.').create_config_obj('dev')",
        "for resource in DependencyBuilder().build_dependencies(ApplicationGraphBuilder().build(config, 'dev')):",
        '    if isinstance(resource, models.LambdaFunction): print("function", resource.function_name)',
        '    if isinstance(resource, models.ManagedIAMRole): print("role", resource.role_name)',
      ].join('\n')], { cwd: root, env: pythonEnv() });
      assert.equal(graph.status, 0, graph.output);
      assert.deepEqual(graph.stdout.trim().split('\n').sort(), [`function ${LONGEST_APP_NAME}-dev`, `role ${LONGEST_APP_NAME}-dev`]);
      assert.equal(`${LONGEST_APP_NAME}-dev`.length, 64, 'Lambda and IAM names hold 64 characters');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    assert.equal(LONGEST_APP_NAME.length, APP_NAME_MAX);
    assert.equal(appNameRule(LONGEST_APP_NAME), undefined);
    assert.match(appNameRule(`${LONGEST_APP_NAME}x`) ?? '', /at most 60 characters/);
  });

  it('every name pipeline.json derives fits its AWS limit, at every app name length up to the longest', async () => {
    const failures: string[] = [];
    const lintAtEnd: { name: string; text: string }[] = [];
    for (let length = 1; length <= APP_NAME_MAX; length++) {
      const appName = LONGEST_APP_NAME.slice(0, length).replace(/-+$/, '').padEnd(length, 'z');
      for (const answers of variantsAt(appName)) {
        // The templates as data (rendering whole repositories at every length costs half a minute).
        const project = projectFor(answers);
        const templates: PipelineTemplate[] = [templateFor(answers), ...(project.placements.some((p) => p.accountId) ? [targetAccountTemplate(project)] : [])];
        if (length === APP_NAME_MAX || length === 24) {
          const files = newRepositoryFiles(answers);
          lintAtEnd.push(...[...files].filter(([path]) => path.endsWith('.json') && !path.startsWith('.') && !path.startsWith('scripts/') && !path.startsWith('release/')).map(([path, text]) => ({ name: `${length}-${lintAtEnd.length}-${path}`, text })));
        }
        for (const { what, name, limit } of templates.flatMap(namesOf)) {
          if (name.length > limit) failures.push(`${appName} (${length}): ${what} ${name} has ${name.length} > ${limit} characters`);
        }
        // pipeline.json points at exactly the roles target-account.json names (shortened or not).
        if (templates.length === 2) {
          const named = new Set(Object.values(templates[1].Resources).map((r) => resolve(templates[1], r.Properties?.RoleName)).filter(Boolean));
          const pointedAt = [...JSON.stringify(templates[0]).matchAll(/:iam::\$\{(?:Prod|Beta)AccountId\}:role\/([^"\\]+)/g)].map((m) => resolve(templates[0], { 'Fn::Sub': m[1] }));
          for (const role of pointedAt) if (!named.has(role)) failures.push(`${appName}: pipeline.json points at ${role}, which target-account.json does not create`);
          if (pointedAt.length === 0) failures.push(`${appName}: no target role found in pipeline.json`);
        }
      }
      const project = projectFor({ appName });
      if (project.pipelineStackName.length > NAME_LIMITS.stack) failures.push(`${appName}: the pipeline stack name`);
    }
    assert.deepEqual(failures, []);
    // cfn-lint on every template at the longest name (a literal, shortened prefix) and at a short one.
    const dir = tempDir('cp-long-lint-');
    const paths = lintAtEnd.map(({ name, text }) => {
      const path = join(dir, name.replaceAll('/', '_'));
      writeFileSync(path, text);
      return path;
    });
    const lint = await cfnLint(paths);
    assert.deepEqual([...lint.values()].join('').split('\n').filter(Boolean), []);
    rmSync(dir, { recursive: true, force: true });
  });

  it('names that would not fit are shortened deterministically, distinct for names that share their start', () => {
    const project = projectFor({ appName: LONGEST_APP_NAME, source: 'github', repository: 'acme/orders' });
    assert.equal(project.connectionName.value, `${shortAppName(LONGEST_APP_NAME, 28)}-src`);
    assert.match(project.connectionName.value, /^acme-fulfilment-order-[0-9a-f]{6}-src$/);
    assert.match(project.betaStack, /^acme-fulf-[0-9a-f]{6}BetaStack$/);
    assert.equal(project.prodStack, project.betaStack.replace('BetaStack', 'ProdStack'));
    assert.deepEqual(projectFor({ appName: LONGEST_APP_NAME }).appStacks, project.appStacks, 'the same name on every run');
    const sibling = projectFor({ appName: `${LONGEST_APP_NAME.slice(0, -1)}y` });
    assert.notEqual(sibling.betaStack, project.betaStack);
    // Names that fit keep Chalice's form and follow the ApplicationName parameter.
    const short = projectFor({ appName: 'orders', source: 'github', repository: 'acme/orders' });
    assert.deepEqual([short.betaStack, short.appStacks.beta.sub, short.connectionName.sub], ['ordersBetaStack', '${ApplicationName}BetaStack', '${ApplicationName}-src']);
    const readme = newRepositoryFiles({ appName: LONGEST_APP_NAME }).get('README.md')!;
    assert.ok(readme.includes(`\`${project.betaStack}-*\`, \`${project.prodStack}-*\``), 'the generated README names the deploy role scope');
    assert.equal(projectFor({ appName: 'a'.repeat(24) }).betaStack, `${'a'.repeat(24)}BetaStack`, 'the stacks of pipelines generated before keep their names');
  });

  describe('the deploy role matches what CloudFormation names in the app stacks (real Chalice, moto S3, SAM)', () => {
    /** App names of both regimes: a stack name CloudFormation cuts (24 characters) and a shortened one (the longest). */
    const APP_NAMES = ['orders-reconciliation-v2', LONGEST_APP_NAME];
    /** Handlers with long names: Chalice's logical IDs (and SAM's, for the schedule's rule) exceed what names keep. */
    const LONG_HANDLERS = `

@app.schedule(Rate(1, unit=Rate.HOURS))
def refresh_the_customer_order_statistics_every_hour(event):
    return {}


@app.lambda_function()
def reconcile_payments_with_the_bank_statement_files(event, context):
    return {}
`;
    let s3: S3Server;
    const builds: PackageBuild[] = [];
    /** Per app name: the expanded beta and prod templates, and the pipeline template. */
    const expanded = new Map<string, { stages: { stack: string; template: ExpandedTemplate }[]; pipeline: PipelineTemplate }>();

    before(async () => {
      s3 = await startS3Server();
      for (const appName of APP_NAMES) {
        const files = newRepositoryFiles({ appName });
        files.set('app.py', `${files.get('app.py')!.replace('from chalice import Chalice', 'from chalice import Chalice, Rate')}${LONG_HANDLERS}`);
        builds.push(await runPackageBuild(s3, { appName }, files));
      }
      for (const build of builds) assert.equal(build.run.status, 0, build.run.output);
      const templates = await expandServerless(builds.flatMap((build) => [...build.templates.values()]));
      APP_NAMES.forEach((appName, index) => {
        const project = projectFor({ appName });
        expanded.set(appName, {
          stages: [{ stack: project.betaStack, template: templates[index * 2]! }, { stack: project.prodStack, template: templates[index * 2 + 1]! }],
          pipeline: templateFor({ appName }),
        });
      });
    });

    after(async () => {
      for (const build of builds) build.cleanup();
      await s3?.stop();
    });

    /** Whether the deploy role (resolved as CloudFormation would) allows the action on the ARN; roles are passed to Lambda. */
    const permits = (statements: IamStatement[], action: string, resource: string) =>
      allows(statements, { action, resource, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } });

    /** What CloudFormation would create for the unnamed functions, roles and rules of the expanded app stacks. */
    function generatedNames(appName: string): { action: string; arn: string }[] {
      const out: { action: string; arn: string }[] = [];
      for (const { stack, template } of expanded.get(appName)!.stages) {
        for (const [id, resource] of Object.entries(template.Resources)) {
          const name = cloudFormationName(stack, id, NAME_LIMITS.generatedInAppStack);
          if (resource.Type === 'AWS::Lambda::Function' && !resource.Properties?.FunctionName) {
            out.push({ action: 'lambda:CreateFunction', arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}` });
            out.push({ action: 'logs:CreateLogGroup', arn: `arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/${name}` });
          }
          if (resource.Type === 'AWS::IAM::Role' && !resource.Properties?.RoleName) {
            out.push({ action: 'iam:CreateRole', arn: `arn:aws:iam::123456789012:role/${name}` });
            out.push({ action: 'iam:PassRole', arn: `arn:aws:iam::123456789012:role/${name}` });
          }
          if (resource.Type === 'AWS::Events::Rule' && !resource.Properties?.Name) {
            out.push({ action: 'events:PutRule', arn: `arn:aws:events:us-east-1:123456789012:rule/${name}` });
          }
        }
      }
      return out;
    }

    it('the names of the simulation are the ones CloudFormation produced (25 + 25 characters for IAM, 25 + 24 for S3)', () => {
      assert.equal(cloudFormationName('ChineseboostAnalyticsStack', 'RainlyticsSummariesJobFunction0A1B2C3D', 64, 'UjecjFhpdr1d'), 'ChineseboostAnalyticsStac-RainlyticsSummariesJobFun-UjecjFhpdr1d');
      assert.equal(cloudFormationName('chineseboostanalyticsstack', 'rainlyticslogsbucket8df4a1b2', 63, 'hdst4ohfvdif'), 'chineseboostanalyticsstac-rainlyticslogsbucket8df4-hdst4ohfvdif');
      assert.equal(cloudFormationName('ordersBetaStack', 'APIHandler', 64, 'AbCdEfGhIjKl'), 'ordersBetaStack-APIHandler-AbCdEfGhIjKl');
    });

    for (const appName of APP_NAMES) {
      it(`allows every function, role and rule name of both stages of ${appName} (${appName.length} characters)`, () => {
        const { pipeline, stages } = expanded.get(appName)!;
        const names = generatedNames(appName);
        assert.ok(names.filter((entry) => entry.action === 'lambda:CreateFunction').length >= 6, 'three functions per stage');
        assert.ok(names.some((entry) => entry.action === 'events:PutRule'), 'the schedule rule');
        assert.ok(stages.some(({ template }) => Object.keys(template.Resources).some((id) => id.length > 25)), 'a logical ID longer than names keep');
        const statements = roleStatements(pipeline as unknown as CfnTemplate, 'CFNDeployRole');
        const denied = names.filter(({ action, arn }) => !permits(statements, action, arn));
        assert.deepEqual(denied, []);
      });

      it(`denies the same names in the stacks of another app named like ${appName} but for its last character`, () => {
        const sibling = `${appName.slice(0, -1)}${appName.endsWith('y') ? 'z' : 'y'}`;
        const { pipeline } = expanded.get(appName)!;
        const statements = roleStatements(pipeline as unknown as CfnTemplate, 'CFNDeployRole');
        const project = projectFor({ appName: sibling });
        const foreign = [project.betaStack, project.prodStack].map((stack) => `arn:aws:lambda:us-east-1:123456789012:function:${cloudFormationName(stack, 'APIHandler', 64)}`);
        assert.deepEqual(foreign.filter((arn) => permits(statements, 'lambda:CreateFunction', arn)), []);
      });
    }

    it('the check fails for a scope of `<stack>-*` where CloudFormation cuts the stack name (24-character app)', () => {
      const project = projectFor({ appName: APP_NAMES[0] });
      const wholeStackScope: IamStatement[] = [project.betaStack, project.prodStack].map((stack) => ({
        Effect: 'Allow', Action: ['lambda:CreateFunction'], Resource: [`arn:aws:lambda:us-east-1:123456789012:function:${stack}-*`],
      }));
      const functions = generatedNames(APP_NAMES[0]!).filter((entry) => entry.action === 'lambda:CreateFunction');
      const denied = functions.filter(({ action, arn }) => !permits(wholeStackScope, action, arn));
      assert.ok(denied.length > 0, 'a function with a long logical ID is named after the cut stack name');
    });
  });

  it('an existing app named with 40 characters gets the pipeline through the sub-generator, cfn-lint clean', async () => {
    const appName = LONGEST_APP_NAME.slice(0, 40);
    const root = tempDir('cp-long-');
    try {
      writeTree(root, newProjectRepo(appName));
      const result = await runCliInProcess(['pipeline', '--skip-git', '--skip-install', '--source', 'github', '--repository', 'acme/fulfilment'], root);
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      const files = readTree(root);
      const template = JSON.parse(files.get('pipeline.json')!) as PipelineTemplate;
      const project = projectFor({ appName });
      assert.equal(template.Parameters.ApplicationName!.Default, appName);
      const stackNames = namesOf(template).filter(({ what }) => what.endsWith('.StackName')).map(({ name }) => name);
      assert.deepEqual([...new Set(stackNames)], [project.betaStack, project.prodStack]);
      assert.ok(project.betaStack.length <= 25, project.betaStack);
      assert.match(files.get('Makefile')!, new RegExp(`--stack-name ${project.betaStack} `), 'make integration-test reads the shortened beta stack');
      const findings = await cfnLint([join(root, 'pipeline.json')]);
      assert.equal([...findings.values()].join(''), '');
      assert.ok(readFileSync(join(root, '.chalice', 'config.json'), 'utf8').includes(`"app_name": "${appName}"`));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
