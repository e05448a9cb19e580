// Stages in other accounts and regions: the answers are validated, each structural fact of pipeline.json,
// target-account.json and pipeline-region.json holds for every placement of the matrix (the same names on both
// sides, grants to exactly the target accounts' roles, one store and one package step per region), a
// single-account pipeline is exactly what it was, and an existing pipeline upgrades keeping its logical IDs.
// cfn-lint and the security rules run over these templates in pipeline-template.test.ts (one cfn-lint run).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { InputError, finishAnswers, mergeAnswers } from '../lib/answers/answers.js';
import type { PartialAnswers } from '../lib/answers/settings.js';
import type { Project } from '../lib/answers/project.js';
import { GOLDEN_FILES, committedGolden } from './support/golden.js';
import { asList, isObject, objectAt, pipelineActions, policyStatements, type CfnTemplate } from './support/security-rules.js';
import {
  BETA_ACCOUNT, forEachVariant, PLACEMENT_MATRIX, PROD_ACCOUNT, newRepositoryFiles, projectFor, readTree, repositoryWithFakeAws,
  runCliInProcess, tempDir, templateFor, variantName,
} from './support/tools.js';

const QUIET = ['--skip-install', '--skip-git'];

interface Generated {
  name: string;
  project: Project;
  files: Map<string, string>;
  pipeline: CfnTemplate;
  target?: CfnTemplate;
  region?: CfnTemplate;
}

function generated(answers: PartialAnswers): Generated {
  const files = newRepositoryFiles(answers);
  const json = (path: string) => (files.has(path) ? (JSON.parse(files.get(path)!) as CfnTemplate) : undefined);
  return { name: variantName(answers), project: projectFor(answers), files, pipeline: json('pipeline.json')!, target: json('target-account.json'), region: json('pipeline-region.json') };
}

const PLACED = PLACEMENT_MATRIX.map(generated);

const forEach = (assertion: (entry: Generated) => void) => forEachVariant(PLACED, assertion);

/** Fn::Sub text with a parameter's default and the application name filled in: the name CloudFormation gives. */
function filled(value: unknown, template: CfnTemplate, extra: Record<string, string> = {}): string {
  const text = typeof value === 'string' ? value : String(objectAt(value)['Fn::Sub']);
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name in extra) return extra[name];
    const parameter = template.Parameters?.[name];
    return parameter?.Default !== undefined ? String(parameter.Default) : whole;
  });
}

const remote = (project: Project) => project.placements.filter((p) => p.accountId);
const accountOf = (project: Project, stage: string) => project.placements.find((p) => p.stage === stage)?.accountId;
const actionRole = (stage: string, account: string) => `arn:\${AWS::Partition}:iam::${account}:role/orders${stage}ActionRole`;
const deployRole = (stage: string, account: string) => `arn:\${AWS::Partition}:iam::${account}:role/orders${stage}DeployRole`;
const reviewRole = (stage: string, account: string) => `arn:\${AWS::Partition}:iam::${account}:role/orders${stage}ReviewRole`;

/** Statements of a resource's own policy document (bucket policy) or key policy, Fn::If branches that hold included. */
function resourcePolicy(template: CfnTemplate, id: string, regionHere?: string): Record<string, unknown>[] {
  const properties = objectAt(template.Resources[id]?.Properties);
  const document = objectAt(properties.PolicyDocument ?? properties.KeyPolicy);
  return asList(document.Statement).flatMap((statement) => {
    const choice = objectAt(statement)['Fn::If'];
    if (!Array.isArray(choice)) return [objectAt(statement)];
    // A grant of pipeline-region.json holds where the stage's region is the stack's region.
    const condition = objectAt(template.Conditions?.[String(choice[0])])['Fn::Equals'] as unknown[];
    const region = filled(`\${${String(objectAt(condition[1]).Ref)}}`, template);
    return region === regionHere ? [objectAt(choice[1])] : [];
  });
}

/** Who a store's grants name: account roots and the exact role ARNs of the aws:PrincipalArn conditions. */
function grantees(statements: Record<string, unknown>[], template: CfnTemplate): { roots: string[]; roles: string[] } {
  const granted = statements.filter((s) => s.Effect === 'Allow' && objectAt(s.Condition).ArnEquals !== undefined);
  return {
    roots: granted.flatMap((s) => asList(objectAt(s.Principal).AWS)).map((r) => filled(r, template)).sort(),
    roles: granted.flatMap((s) => asList(objectAt(objectAt(s.Condition).ArnEquals)['aws:PrincipalArn'])).map((r) => filled(r, template)).sort(),
  };
}

/** The CloudFormation actions of the Beta and Prod stages (not the pipeline's own UpdatePipeline stage). */
const appStageActions = (pipeline: CfnTemplate) => pipelineActions(objectAt(pipeline.Resources.AppPipeline.Properties))
  .filter(({ stage, action }) => (stage === 'Beta' || stage === 'Prod') && objectAt(action.ActionTypeId).Provider === 'CloudFormation');

/** Whether a target-account.json condition holds for a Stage value (none, Deploys<Stage>, or an Fn::Or of those). */
function holdsFor(template: CfnTemplate, condition: string | undefined, stage: string): boolean {
  if (condition === undefined || condition === `Deploys${stage}`) return true;
  const any = objectAt(template.Conditions?.[condition])['Fn::Or'];
  return Array.isArray(any) && any.some((entry) => objectAt(entry).Condition === `Deploys${stage}`);
}

const root = (account: string) => `arn:\${AWS::Partition}:iam::${account}:root`;

describe('placement answers are validated like every answer', () => {
  const problems = (answers: PartialAnswers): string => {
    try {
      finishAnswers(mergeAnswers({ flags: { appName: 'orders', region: 'us-east-1', ...answers } }, {}));
      return '';
    } catch (error) {
      assert.ok(error instanceof InputError);
      return error.message;
    }
  };

  it('an account id is 12 digits', () => {
    assert.match(problems({ prodAccountId: '12345' }), /^prodAccountId "12345" is invalid: must be an AWS account id: exactly 12 digits/);
    assert.match(problems({ betaAccountId: 'abcdefghijkl' }), /betaAccountId .* exactly 12 digits/);
    assert.equal(problems({ betaAccountId: BETA_ACCOUNT, prodAccountId: PROD_ACCOUNT }), '');
  });

  it('a region is an AWS region of the pipeline\'s partition', () => {
    assert.match(problems({ prodRegion: 'eu-wset-1' }), /prodRegion "eu-wset-1" is invalid: must be an AWS region code such as us-east-1 \(did you mean eu-west-1\?\)/);
    assert.match(problems({ betaRegion: 'cn-north-1' }), /betaRegion "cn-north-1" is invalid: must be in the pipeline's partition \(aws, region us-east-1\)/);
    assert.equal(problems({ betaRegion: 'eu-central-1', prodRegion: 'ap-southeast-2' }), '');
  });

  it('a stage\'s account or region only when that stage exists (exit 2, the rule in the message)', async () => {
    assert.match(problems({ production: false, prodAccountId: PROD_ACCOUNT }), /^prodAccountId is invalid: it applies only with production \(the prod stage exists only then\); remove it$/m);
    assert.match(problems({ production: false, prodRegion: 'eu-west-1' }), /^prodRegion is invalid: it applies only with production/m);
    const result = await runCliInProcess(['--app-name', 'orders', '--no-production', '--prod-account-id', PROD_ACCOUNT, '--defaults', ...QUIET], tempDir());
    assert.equal(result.status, 2);
    assert.match(result.stderr, /prodAccountId is invalid: it applies only with production/);
  });

  it('traffic shifting goes with prod in any account or region (its CodeDeploy role is made where prod lives)', async () => {
    assert.equal(problems({ prodAccountId: PROD_ACCOUNT, prodDeployment: 'Canary10Percent5Minutes' }), '');
    assert.equal(problems({ prodRegion: 'eu-west-1', prodDeployment: 'Canary10Percent5Minutes' }), '');
    const result = await runCliInProcess(['--app-name', 'orders', '--prod-account-id', PROD_ACCOUNT, '--prod-deployment', 'Linear10PercentEvery1Minute', '--defaults', ...QUIET], tempDir());
    assert.equal(result.status, 0, result.stderr);
  });

  it('a blank answer or the pipeline\'s own region is the pipeline\'s own placement: the same template', () => {
    assert.deepEqual(templateFor({ region: 'us-east-1', betaAccountId: '', prodRegion: 'us-east-1' }), templateFor({ region: 'us-east-1' }));
  });
});

describe('a single-account, single-region pipeline is exactly what it was', () => {
  // The committed template of the default answers from before stages could go elsewhere. The test only reads it;
  // refresh it for an intended change of the single-account pipeline with `npm run golden` (it prints the diff).
  const [golden] = GOLDEN_FILES;
  it('pipeline.json of the default answers equals test/fixtures/pipeline-single-account.json', () => {
    assert.equal(golden!.render(), committedGolden(golden!), 'the single-account pipeline changed (npm run golden refreshes it on purpose, showing the diff)');
  });

  it('no trace of placement: one ArtifactStore, no key, no action role or region, no target-account.json or pipeline-region.json', () => {
    const { pipeline, files } = generated({ region: 'us-east-1' });
    const properties = objectAt(pipeline.Resources.AppPipeline.Properties);
    assert.ok(properties.ArtifactStore !== undefined && properties.ArtifactStores === undefined);
    assert.equal(pipeline.Resources.ArtifactKey, undefined);
    assert.ok('ArtifactKmsKeyArn' in pipeline.Parameters!);
    for (const { action } of pipelineActions(properties)) assert.ok(action.RoleArn === undefined && action.Region === undefined);
    assert.ok(!files.has('target-account.json') && !files.has('pipeline-region.json'));
    assert.doesNotMatch(files.get('Makefile')!, /target-account/);
  });
});

describe('pipeline.json places each stage where the answers say', () => {
  it('the matrix has prod in another account, prod in another region, beta and prod in two other accounts and regions', () => {
    const shapes = PLACED.map(({ project }) => project.placements.map((p) => `${p.stage}:${p.accountId ? 'account' : ''}${p.region ? 'region' : ''}`).join(' '));
    for (const wanted of ['Beta: Prod:account', 'Beta: Prod:region', 'Beta:accountregion Prod:accountregion']) assert.ok(shapes.includes(wanted), wanted);
    assert.ok(PLACED.some(({ project }) => new Set(project.placements.map((p) => p.accountId)).size === 2 && new Set(project.placements.map((p) => p.region)).size === 2));
  });

  it('where each stage goes is readable from pipeline.json alone: account and region parameters default to the answers', () => forEach(({ project, pipeline }) => {
    for (const placement of project.placements) {
      assert.equal(pipeline.Parameters?.[`${placement.stage}AccountId`]?.Default, placement.accountId);
      assert.equal(pipeline.Parameters?.[`${placement.stage}Region`]?.Default, placement.region);
    }
  }));

  it('a stage in another account runs as the action role of that account and deploys with that account\'s deploy role; others use none', () => forEach(({ project, pipeline }) => {
    for (const { stage, action } of appStageActions(pipeline)) {
      const account = accountOf(project, stage);
      const configuration = objectAt(action.Configuration);
      if (!account) {
        assert.equal(action.RoleArn, undefined, `${stage} carries an action role`);
        if (configuration.ActionMode === 'CHANGE_SET_REPLACE') assert.deepEqual(configuration.RoleArn, { 'Fn::GetAtt': ['CFNDeployRole', 'Arn'] });
        continue;
      }
      assert.equal(filled(action.RoleArn, pipeline), actionRole(stage, account));
      if (configuration.ActionMode === 'CHANGE_SET_REPLACE') assert.equal(filled(configuration.RoleArn, pipeline), deployRole(stage, account));
    }
  }));

  it('the pipeline role may assume exactly the target accounts\' action roles, the change review their review roles, nothing else anything', () => forEach(({ project, pipeline }) => {
    const assuming = policyStatements(pipeline).filter(({ statement }) => asList(statement.Action).some((a) => String(a).startsWith('sts:')));
    if (remote(project).length === 0) return assert.deepEqual(assuming, []);
    // Every stage of the matrix is reviewed (an approval, or the broadening gate by default).
    assert.deepEqual(assuming.map((s) => s.where), ['ChangeReviewRole/ReviewChanges/AssumeTargetReviewRoles', 'CodePipelineRole/RunPipeline/AssumeTargetActionRoles']);
    for (const { statement } of assuming) assert.deepEqual(asList(statement.Action), ['sts:AssumeRole']);
    assert.deepEqual(asList(assuming[0].statement.Resource).map((r) => filled(r, pipeline)), remote(project).map((p) => reviewRole(p.stage, p.accountId!)));
    assert.deepEqual(asList(assuming[1].statement.Resource).map((r) => filled(r, pipeline)), remote(project).map((p) => actionRole(p.stage, p.accountId!)));
  }));

  it('the key and the bucket policies of each store grant exactly the target accounts\' roles deployed from it', () => forEach(({ project, pipeline, region }) => {
    const stores: [CfnTemplate | undefined, string | undefined][] = [[pipeline, undefined], ...[...new Set(project.placements.map((p) => p.region))].filter((r) => r !== undefined).map((r): [CfnTemplate | undefined, string] => [region, r])];
    for (const [template, here] of stores) {
      assert.ok(template, `no template for the store of ${here}`);
      const readers = remote(project).filter((p) => p.region === here);
      const roots = [...new Set(readers.map((p) => root(p.accountId!)))].sort();
      const key = resourcePolicy(template, 'ArtifactKey', here);
      if (template === pipeline && remote(project).length === 0) assert.equal(template.Resources.ArtifactKey, undefined);
      else {
        assert.equal(objectAt(template.Resources.ArtifactKey.Properties).EnableKeyRotation, true);
        assert.deepEqual(grantees(key, template), { roots: readers.length ? roots : [], roles: readers.map((p) => actionRole(p.stage, p.accountId!)).sort() });
      }
      assert.deepEqual(grantees(resourcePolicy(template, 'ArtifactBucketStorePolicy', here), template).roles, readers.map((p) => actionRole(p.stage, p.accountId!)).sort(), `${here ?? 'pipeline region'} artifacts`);
      assert.deepEqual(grantees(resourcePolicy(template, 'ApplicationBucketPolicy', here), template).roles, readers.map((p) => deployRole(p.stage, p.accountId!)).sort(), `${here ?? 'pipeline region'} packages`);
    }
  }));

  it('one artifact store per region, the pipeline\'s own included; each stage elsewhere runs in its region', () => forEach(({ project, pipeline }) => {
    const properties = objectAt(pipeline.Resources.AppPipeline.Properties);
    const others = [...new Set(project.placements.map((p) => p.region).filter(Boolean))];
    if (others.length === 0) return assert.ok(properties.ArtifactStore && !properties.ArtifactStores);
    assert.equal(properties.ArtifactStore, undefined);
    const regions = asList(properties.ArtifactStores).map((s) => filled(`\${${String(objectAt(objectAt(s).Region).Ref)}}`, pipeline));
    assert.deepEqual(regions, ['${AWS::Region}', ...others]);
    for (const { stage, action } of appStageActions(pipeline)) {
      const placement = project.placements.find((p) => p.stage === stage)!;
      assert.equal(action.Region === undefined ? undefined : filled(`\${${String(objectAt(action.Region).Ref)}}`, pipeline), placement.region);
    }
  }));

  it('the Build stage packages each stage once, with the --region of that stage into the bucket of that region', () => forEach(({ project, pipeline, files }) => {
    const spec = parseYaml(files.get('buildspec.yml')!) as { phases: { build: { commands: string[] } } };
    const commands = spec.phases.build.commands.filter((c) => c.startsWith('aws cloudformation package'));
    assert.equal(commands.length, project.placements.length);
    const variables = asList(objectAt(objectAt(pipeline.Resources.AppPackageBuild.Properties).Environment).EnvironmentVariables).map(objectAt);
    for (const placement of project.placements) {
      const template = `transformed-${placement.stage === 'Beta' ? 'beta' : 'prod'}.yaml`;
      const command = commands.find((c) => c.endsWith(`--output-template-file ${template}`));
      assert.ok(command, `no package step writes ${template}`);
      // Once a stage is in another region, every package step names its region; otherwise the build's region is it.
      if (project.placements.some((p) => p.region)) assert.match(command, new RegExp(`--region ${placement.region ?? project.region} `));
      else assert.doesNotMatch(command, /--region/);
      const variable = /--s3-bucket "\$(\w+)"/.exec(command)![1];
      const value = variables.find((v) => v.Name === variable)?.Value;
      const bucket = placement.region ? `${placement.region.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}PackageBucket` : 'ApplicationBucket';
      assert.deepEqual(value, { Ref: bucket }, `${template} goes to ${variable}`);
    }
  }));

  it('the integration tests reach the beta endpoint wherever beta lives; the approval link still shows it', () => forEach(({ project, pipeline, files }) => {
    const actions = pipelineActions(objectAt(pipeline.Resources.AppPipeline.Properties));
    const execute = actions.find(({ action }) => action.Name === 'ExecuteBetaChangeSet')!.action;
    assert.equal(execute.Namespace, 'BetaStackOutputs');
    // The approval before prod (inside the Prod stage, after its change set) names the beta endpoint in its message.
    const approval = actions.find(({ action }) => action.Name === 'ApproveRelease');
    assert.equal(approval !== undefined, project.production && project.manualApproval);
    if (approval) assert.match(String(JSON.stringify(objectAt(approval.action.Configuration).CustomData)), /#\{BetaStackOutputs\.EndpointURL\}/);
    const tests = actions.find(({ stage }) => stage === 'IntegrationTests');
    if (!tests) return;
    const beta = project.placements[0];
    if (beta.accountId || beta.region) {
      const variables = JSON.parse(String(objectAt(tests.action.Configuration).EnvironmentVariables)) as { name: string; value: string }[];
      assert.deepEqual(variables.map((v) => [v.name, v.value]), [['ENDPOINT_URL', '#{BetaStackOutputs.EndpointURL}']]);
      assert.doesNotMatch(files.get('buildspec-integration.yml')!, /StackOutputs\.json/);
    } else {
      assert.match(files.get('buildspec-integration.yml')!, /StackOutputs\.json/);
    }
  }));
});

describe('target-account.json creates exactly the roles pipeline.json points at', () => {
  it('exists exactly when a stage is in another account, with one Stage value per such stage', () => forEach(({ project, target }) => {
    assert.equal(target !== undefined, remote(project).length > 0);
    if (target) assert.deepEqual(target.Parameters!.Stage.AllowedValues, remote(project).map((p) => p.stage));
  }));

  it('the role names and the trusted pipeline role match pipeline.json', () => forEach(({ project, pipeline, target }) => {
    if (!target) return;
    const pipelineRole = filled(objectAt(pipeline.Resources.CodePipelineRole.Properties).RoleName, pipeline);
    for (const placement of remote(project)) {
      const names = { Stage: placement.stage, PipelineAccountId: '111111111111' };
      assert.equal(filled(objectAt(target.Resources.PipelineActionRole.Properties).RoleName, target, names), `orders${placement.stage}ActionRole`);
      assert.equal(filled(objectAt(target.Resources.DeployRole.Properties).RoleName, target, names), `orders${placement.stage}DeployRole`);
      // Prod shifting traffic there: the CodeDeploy role the prod change set passes, made in prod's account only.
      const codeDeploy: CfnTemplate['Resources'][string] | undefined = target.Resources.CodeDeployRole;
      assert.equal(codeDeploy !== undefined, project.shiftsTraffic && remote(project).some((p) => p.stage === 'Prod'));
      if (codeDeploy && placement.stage === 'Prod') {
        const create = pipelineActions(pipeline.Resources.AppPipeline!.Properties!).find(({ action }) => action.Name === 'CreateProdChangeSet')!.action;
        const passed = JSON.parse(String(objectAt(objectAt(create.Configuration).ParameterOverrides)['Fn::Sub'])).CodeDeployRoleArn;
        assert.equal(filled(passed, pipeline), `arn:\${AWS::Partition}:iam::${placement.accountId}:role/${filled(objectAt(codeDeploy.Properties).RoleName, target, names)}`);
        assert.equal(pipeline.Resources.CodeDeployRole, undefined, 'pipeline.json makes no CodeDeploy role for a prod elsewhere');
        if (remote(project).length > 1) assert.equal(codeDeploy.Condition, 'DeploysProd');
      }
      const trusted = (id: string): string => {
        const trust = objectAt(asList(objectAt(objectAt(target.Resources[id].Properties).AssumeRolePolicyDocument).Statement)[0]);
        assert.equal(filled(objectAt(trust.Principal).AWS, target, names), root('111111111111'));
        return filled(objectAt(objectAt(trust.Condition).ArnEquals)['aws:PrincipalArn'], target, names);
      };
      assert.equal(trusted('PipelineActionRole'), `arn:\${AWS::Partition}:iam::111111111111:role/${pipelineRole}`);
      // The review role: named as the change review assumes it, trusting exactly the change review's role.
      assert.equal(filled(objectAt(target.Resources.ReviewRole.Properties).RoleName, target, names), `orders${placement.stage}ReviewRole`);
      const changeReview = filled(objectAt(pipeline.Resources.ChangeReviewRole.Properties).RoleName, pipeline);
      assert.equal(changeReview, 'ordersChangeReviewRole');
      assert.equal(trusted('ReviewRole'), `arn:\${AWS::Partition}:iam::111111111111:role/${changeReview}`);
    }
  }));

  it("the README's role table names exactly the roles target-account.json creates, with their accounts", () => forEach(({ project, files, target }) => {
    if (!target) return;
    const readme = files.get('README.md')!;
    const tableRoles = [...readme.matchAll(/^\| `([^`]+)` \| (\d{12}) \|/gm)].map((m) => `${m[2]} ${m[1]}`).sort();
    const created = remote(project).flatMap((placement) => Object.values(target.Resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Role' && holdsFor(target, resource.Condition as string | undefined, placement.stage))
      .map((resource) => `${placement.accountId} ${filled(objectAt(resource.Properties).RoleName, target, { Stage: placement.stage })}`)).sort();
    assert.deepEqual(tableRoles, created);
  }));

  it('its deploy role has the same policy as CFNDeployRole (the same statements and actions, scoped to its stage)', () => {
    const { pipeline, target } = generated({ region: 'us-east-1', prodAccountId: PROD_ACCOUNT });
    const actions = (template: CfnTemplate, id: string) => new Map(policyStatements(template).filter(({ where }) => where.startsWith(`${id}/`))
      .map(({ where, statement }) => [where.split('/').at(-1), asList(statement.Action)]));
    assert.deepEqual(actions(target!, 'DeployRole'), actions(pipeline, 'CFNDeployRole'));
    assert.ok(actions(pipeline, 'CFNDeployRole').size >= 8);
  });
});

describe('the Makefile deploys the target accounts first, then the regions and the pipeline', () => {
  const repoWithFakeAws = (answers: PartialAnswers) => repositoryWithFakeAws(answers, {
    '*get-caller-identity*': '"$FAKE_ACCOUNT"', '*describe-stacks*': 'EuWest1ArtifactBucket=b',
  });

  it('make help lists target-account; it refuses a stage without another account, a missing pipeline account or the wrong credentials', () => {
    const make = repoWithFakeAws({ region: 'us-east-1', prodAccountId: PROD_ACCOUNT, prodRegion: 'eu-west-1' });
    assert.match(make(['help']).stdout, /^ {2}target-account +Deploy target-account\.json for STAGE \(prod\)/m);
    const beta = make(['target-account', 'STAGE=beta', 'PIPELINE_ACCOUNT_ID=111111111111']);
    assert.equal(beta.status, 2, beta.stderr);
    assert.match(beta.stderr, /give STAGE=prod \(the stages in another account\)/);
    assert.match(make(['target-account', 'STAGE=prod']).stderr, /give PIPELINE_ACCOUNT_ID=<12 digits>/);
    const wrong = make(['target-account', 'STAGE=prod', 'PIPELINE_ACCOUNT_ID=111111111111'], '999999999999');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /these credentials are for account 999999999999, not 222222222222/);
    assert.doesNotMatch(wrong.aws, /cloudformation deploy/);
  });

  it('make target-account deploys the roles in the stage\'s region; make deploy the region\'s store, then the pipeline with its outputs', () => {
    const make = repoWithFakeAws({ region: 'us-east-1', prodAccountId: PROD_ACCOUNT, prodRegion: 'eu-west-1' });
    const target = make(['target-account', 'STAGE=prod', 'PIPELINE_ACCOUNT_ID=111111111111']);
    assert.equal(target.status, 0, target.stderr);
    assert.match(target.aws, /^cloudformation deploy --region eu-west-1 --stack-name orders-prod-target --template-file target-account\.json --capabilities CAPABILITY_NAMED_IAM .*--parameter-overrides ApplicationName=orders Stage=Prod PipelineAccountId=111111111111$/m);
    const deploy = make(['deploy']);
    assert.equal(deploy.status, 0, deploy.stderr);
    const calls = deploy.aws.trim().split('\n');
    assert.match(calls[0], /^cloudformation deploy --region eu-west-1 --stack-name orders-pipeline-eu-west-1 --template-file pipeline-region\.json/);
    assert.match(calls.at(-1)!, /^cloudformation deploy --region us-east-1 --stack-name orders-pipeline --template-file build\/pipeline\.min\.json --capabilities CAPABILITY_NAMED_IAM .* EuWest1ArtifactBucket=b/);
    // The account make target-account was told is the one make deploy passes (one variable for both).
    assert.match(calls.at(-1)!, / ProdAccountId=222222222222 /);
    assert.match(make(['deploy', 'PROD_ACCOUNT_ID=444444444444']).aws, / ProdAccountId=444444444444 /);
  });
});

describe('upgrading a single-account pipeline to another account', () => {
  it('a re-run with --prod-account-id keeps every logical ID and says what to deploy in the target account first', async () => {
    const cwd = tempDir();
    const first = await runCliInProcess(['--app-name', 'orders', '--region', 'us-east-1', '--defaults', ...QUIET], cwd);
    assert.equal(first.status, 0, first.stderr);
    const repo = join(cwd, 'orders');
    const before = JSON.parse(readTree(repo).get('pipeline.json')!) as CfnTemplate;
    const again = await runCliInProcess(['pipeline', '--prod-account-id', PROD_ACCOUNT, '--defaults', ...QUIET], repo);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /deploy target-account\.json in the target accounts before make deploy .*make target-account STAGE=prod with the credentials of account 222222222222/);
    const files = readTree(repo);
    const after = JSON.parse(files.get('pipeline.json')!) as CfnTemplate;
    assert.deepEqual(Object.keys(before.Resources).filter((id) => !(id in after.Resources)), []);
    for (const id of Object.keys(before.Resources)) assert.equal(after.Resources[id].Type, before.Resources[id].Type, id);
    assert.ok(files.has('target-account.json'));
    assert.equal(JSON.parse(files.get('.yo-rc.json')!)['generator-chalice-pipeline'].prodAccountId, PROD_ACCOUNT);
    assert.ok(isObject(after.Resources.ArtifactKey));
    // Without the self-update make deploy applies it anyway: no word about a push.
    assert.doesNotMatch(again.stdout, /not a push/);
  });

  it('with the self-update: the change review\'s role takes a name, which only make deploy can apply, and the run says so', async () => {
    const cwd = tempDir();
    const first = await runCliInProcess(['--app-name', 'orders', '--region', 'us-east-1', '--self-update', '--defaults', ...QUIET], cwd);
    assert.equal(first.status, 0, first.stderr);
    const repo = join(cwd, 'orders');
    const again = await runCliInProcess(['pipeline', '--prod-account-id', PROD_ACCOUNT, '--defaults', ...QUIET], repo);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /make deploy with the pipeline account's credentials, not a push: the change review's role takes a name the target accounts trust/);
    const rerun = await runCliInProcess(['pipeline', '--defaults', ...QUIET], repo);
    assert.doesNotMatch(rerun.stdout, /not a push/, 'said once, when it changes');
  });
});
