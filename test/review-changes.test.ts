// scripts/review_changes.py (the review step's report and IAM-widening check) on template pairs built from what the
// real `chalice package` emits: three versions of one app packaged once, the other cases edited from them as data.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import type { PartialAnswers } from '../lib/answers/settings.js';
import { pythonEnv, repositoryCopy } from './support/chalice.js';
import { runBuildspec } from './support/codebuild.js';
import { packageApps } from './support/chalice-package.js';
import { PACKAGE_ROOT, newRepositoryFiles, tempDir, writeTree } from './support/tools.js';

const SCRIPT = join(PACKAGE_ROOT, 'templates', 'pipeline', 'scripts', 'review_changes.py');
const CONFIG = JSON.stringify({ version: '2.0', app_name: 'shop', stages: { beta: { api_gateway_stage: 'api' } } });

/** An app whose handler calls DynamoDB (Chalice's autogen_policy grants what it calls), with the given extra code. */
const appSource = (calls: string[], routes = '') => `import boto3
from chalice import Chalice

app = Chalice(app_name='shop')
ddb = boto3.client('dynamodb')


@app.route('/')
def index():
${calls.map((call) => `    ddb.${call}(TableName='orders', Key={})`).join('\n')}
    return {'hello': 'world'}
${routes}`;

const VERSIONS = {
  v1: appSource(['get_item']),
  // The next pull request: one more boto3 call, so autogen_policy grants one more action.
  deletes: appSource(['get_item', 'delete_item']),
  newRoute: appSource(['get_item'], `

@app.route('/orders')
def orders():
    return []
`),
};

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }>; [key: string]: unknown };
interface Review { status: number | null; stdout: string; stderr: string; summary: string; lines: string[] }

let work: string;
const packaged: Record<string, Template> = {};
const transformed: Record<string, Template> = {};

before(() => {
  work = tempDir('cp-review-');
  const folders = Object.fromEntries(Object.entries(VERSIONS).map(([name, source]) => {
    const folder = join(work, `app-${name}`);
    writeTree(folder, { 'app.py': source, 'requirements.txt': '', '.chalice/config.json': CONFIG });
    return [name, folder];
  }));
  const results = packageApps(Object.values(folders), ['beta']);
  for (const [name, folder] of Object.entries(folders)) {
    const result = results.get(`${folder}@beta`)!;
    assert.ok(result.packaged && result.transformed, `${name} did not package: ${result.error}`);
    packaged[name] = result.packaged as unknown as Template;
    transformed[name] = result.transformed as unknown as Template;
  }
});
after(() => rmSync(work, { recursive: true, force: true }));

let fileCount = 0;
function file(content: unknown, extension = 'json'): string {
  const path = join(work, `input-${fileCount++}.${extension}`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
  return path;
}

function review(beforeTemplate: unknown, afterTemplate: unknown, changeSet?: unknown, extra: string[] = []): Review {
  const args = [SCRIPT, typeof beforeTemplate === 'string' ? beforeTemplate : file(beforeTemplate), typeof afterTemplate === 'string' ? afterTemplate : file(afterTemplate)];
  const summaryFile = join(work, `summary-${fileCount++}.txt`);
  if (changeSet !== undefined) args.push('--change-set', file(changeSet));
  args.push('--summary-file', summaryFile, ...extra);
  const run = spawnSync('python3', args, { encoding: 'utf8', env: pythonEnv() });
  const summary = existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8').trim() : '';
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, summary, lines: run.stdout.split('\n').map((line) => line.trim()) };
}

const copy = <T>(value: T): T => structuredClone(value);
/** The statements of the policy Chalice generated for the app's functions (DefaultRole). */
const statementsOf = (template: Template) => template.Resources.DefaultRole.Properties.Policies[0].PolicyDocument.Statement as Record<string, unknown>[];
/** v1 with its DefaultRole statements changed. */
function v1With(change: (statements: Record<string, unknown>[]) => void): Template {
  const template = copy(packaged.v1);
  change(statementsOf(template));
  return template;
}
/** `aws cloudformation package` names the uploaded code by its hash: new code, new key. */
function withNewCode(template: Template): Template {
  const changed = copy(template);
  changed.Resources.APIHandler.Properties.CodeUri = 's3://app-bucket-1a2b3c4d/9f86d081884c7d659a2feaa0c55ad015';
  return changed;
}
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';

describe('review_changes.py on what the real chalice package emits', () => {
  it('unchanged: no change, IAM does not widen, exit 0', () => {
    const result = review(packaged.v1, packaged.v1);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.lines.includes('Resources (template comparison): no change'), result.stdout);
    assert.ok(result.lines.includes('IAM widens: nothing'), result.stdout);
    assert.equal(result.summary, '0 modified, replacement unknown (no change set); IAM does not widen');
    assert.equal(result.lines.at(-2), `Summary: ${result.summary}`);
  });

  it('a code-only change: the function and the policy ids Chalice regenerates are modified, IAM does not widen, exit 0', () => {
    // The same app packaged again: autogen_policy writes a new random Sid, which is no permission.
    assert.notEqual(statementsOf(packaged.newRoute)[0].Sid, statementsOf(packaged.v1)[0].Sid);
    const codeOnly = withNewCode(v1With((statements) => { statements[0].Sid = statementsOf(packaged.newRoute)[0].Sid; }));
    const result = review(packaged.v1, codeOnly);
    assert.equal(result.status, 0, result.stdout);
    assert.ok(result.lines.includes('modified  APIHandler (AWS::Serverless::Function): CodeUri'), result.stdout);
    assert.ok(result.lines.includes('modified  DefaultRole (AWS::IAM::Role): Policies (statement ids only)'), result.stdout);
    assert.equal(result.summary, '2 modified, replacement unknown (no change set); IAM does not widen');
  });

  it('a new route: the API is modified, the invoke permission already covers it, exit 0', () => {
    const result = review(packaged.v1, packaged.newRoute);
    assert.equal(result.status, 0, result.stdout);
    assert.ok(result.lines.includes('modified  RestAPI (AWS::Serverless::Api): DefinitionBody'), result.stdout);
    assert.ok(result.lines.includes('IAM widens: nothing'), result.stdout);
  });

  it('autogen policies of two app versions (a new boto3 call): IAM widens by that action, exit 3', () => {
    const result = review(packaged.v1, withNewCode(packaged.deletes));
    assert.equal(result.status, 3, result.stdout);
    assert.equal(result.summary, '2 modified, replacement unknown (no change set); IAM widens: DefaultRole may dynamodb:DeleteItem on *');
    // The same two versions after the SAM transform (what get-template --template-stage Processed returns).
    const expanded = review(transformed.v1, transformed.deletes);
    assert.equal(expanded.status, 3, expanded.stdout);
    assert.ok(expanded.lines.includes('DefaultRole may dynamodb:DeleteItem on *'), expanded.stdout);
    // And back: the narrowing is reported, nothing widens.
    const back = review(packaged.deletes, packaged.v1);
    assert.equal(back.status, 0, back.stdout);
    assert.ok(back.lines.includes('DefaultRole may no longer dynamodb:DeleteItem on *'), back.stdout);
  });

  it('a new statement: exit 3 naming the role, the action and the resource', () => {
    const queue = 'arn:aws:sqs:us-east-1:123456789012:orders';
    const result = review(packaged.v1, v1With((statements) => statements.push({ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'], Resource: queue })));
    assert.equal(result.status, 3, result.stdout);
    assert.ok(result.lines.includes('modified  DefaultRole (AWS::IAM::Role): Policies'), result.stdout);
    assert.equal(result.summary, `1 modified, replacement unknown (no change set); IAM widens: DefaultRole may sqs:SendMessage, sqs:GetQueueUrl on ${queue}`);
  });

  it('a wider resource: one table, then every table, exit 3; a `*` resource covers an ARN', () => {
    const oneTable = v1With((statements) => { statements[0].Resource = [TABLE]; });
    const everyTable = v1With((statements) => { statements[0].Resource = [{ 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*' }]; });
    const wider = review(oneTable, everyTable);
    assert.equal(wider.status, 3, wider.stdout);
    assert.ok(wider.lines.includes('DefaultRole may dynamodb:GetItem on arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*'), wider.stdout);
    const narrower = review(packaged.v1, oneTable);
    assert.equal(narrower.status, 0, narrower.stdout);
    assert.ok(narrower.lines.includes(`DefaultRole may no longer dynamodb:GetItem on *`), narrower.stdout);
  });

  it('a wildcard action: dynamodb:* widens dynamodb:GetItem (exit 3); s3:* already covers s3:GetObject (exit 0)', () => {
    const wildcard = review(packaged.v1, v1With((statements) => { statements[0].Action = ['dynamodb:*']; }));
    assert.equal(wildcard.status, 3, wildcard.stdout);
    assert.ok(wildcard.lines.includes('DefaultRole may dynamodb:* on *'), wildcard.stdout);
    const bucket = 'arn:aws:s3:::orders-archive/*';
    const broad = v1With((statements) => statements.push({ Effect: 'Allow', Action: 'S3:*', Resource: bucket }));
    const specific = v1With((statements) => statements.push({ Effect: 'Allow', Action: ['s3:GetObject', 's3:Get*'], Resource: `${bucket.slice(0, -1)}reports/*` }));
    const covered = review(broad, specific);
    assert.equal(covered.status, 0, covered.stdout);
    assert.ok(covered.lines.includes('IAM widens: nothing'), covered.stdout);
  });

  it('a removed condition: exit 3, naming the condition key', () => {
    const passRole = { Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': ['WorkerRole', 'Arn'] } };
    const conditioned = v1With((statements) => statements.push({ ...passRole, Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }));
    const result = review(conditioned, v1With((statements) => statements.push(passRole)));
    assert.equal(result.status, 3, result.stdout);
    assert.ok(result.lines.includes('DefaultRole may iam:PassRole on ${WorkerRole.Arn} without the condition on iam:PassedToService'), result.stdout);
    // A condition added, or one more value removed from it, only narrows.
    const stricter = review(v1With((statements) => statements.push(passRole)), conditioned);
    assert.equal(stricter.status, 0, stricter.stdout);
  });

  it('a new iam:PassRole: exit 3, said as such', () => {
    const result = review(packaged.v1, v1With((statements) => statements.push({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' })));
    assert.equal(result.status, 3, result.stdout);
    assert.ok(result.lines.includes('DefaultRole may iam:PassRole on * (new iam:PassRole: may hand that role to a service)'), result.stdout);
  });

  it('a new principal: the role trusted by another service, the function invokable by another principal: exit 3', () => {
    const trusted = copy(packaged.v1);
    trusted.Resources.DefaultRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal = { Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'] };
    const invoked = copy(trusted);
    invoked.Resources.APIHandlerInvokePermission.Properties.Principal = 'events.amazonaws.com';
    const result = review(packaged.v1, invoked);
    assert.equal(result.status, 3, result.stdout);
    assert.ok(result.lines.includes('DefaultRole may be assumed by Service:ec2.amazonaws.com'), result.stdout);
    assert.ok(result.lines.some((line) => line.startsWith('Service:events.amazonaws.com (policy of ${APIHandler}) may lambda:InvokeFunction on ${APIHandler}')), result.stdout);
  });

  it('a narrowed policy: the logs statement scoped to the app\'s log groups, exit 0, the narrowing reported', () => {
    const result = review(packaged.v1, v1With((statements) => { statements[1].Resource = 'arn:*:logs:*:*:log-group:/aws/lambda/shop-*'; }));
    assert.equal(result.status, 0, result.stdout);
    assert.ok(result.lines.includes('IAM narrows:'), result.stdout);
    assert.ok(result.lines.includes('DefaultRole may no longer logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents on arn:*:logs:*:*:*'), result.stdout);
  });

  it('a replaced resource: the change set says so (REGIONAL endpoint), exit 0', () => {
    const regional = copy(packaged.v1);
    regional.Resources.RestAPI.Properties.EndpointConfiguration = 'REGIONAL';
    const changeSet = {
      ChangeSetName: 'shopBetaChangeSet', StackName: 'shopBetaStack', Status: 'CREATE_COMPLETE',
      Changes: [
        { Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'RestAPI', ResourceType: 'AWS::ApiGateway::RestApi', Replacement: 'True', Scope: ['Properties'], Details: [{ Target: { Attribute: 'Properties', Name: 'EndpointConfiguration', RequiresRecreation: 'Always' } }] } },
        { Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'RestAPIapiStage', ResourceType: 'AWS::ApiGateway::Stage', Replacement: 'Conditional', Scope: ['Properties'], Details: [] } },
        { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'RestAPIDeploymentb2c3', ResourceType: 'AWS::ApiGateway::Deployment', Scope: [] } },
        { Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: 'RestAPIDeploymenta1b2', ResourceType: 'AWS::ApiGateway::Deployment', Scope: [] } },
      ],
    };
    const result = review(packaged.v1, regional, changeSet);
    assert.equal(result.status, 0, result.stdout);
    assert.ok(result.lines.includes('replaced  RestAPI (AWS::ApiGateway::RestApi): Properties; EndpointConfiguration'), result.stdout);
    assert.ok(result.lines.includes('modified  RestAPIapiStage (AWS::ApiGateway::Stage): Properties; may be replaced'), result.stdout);
    assert.equal(result.summary, '1 added, 1 modified, 1 removed, 1 replaced; IAM does not widen');
  });
});

describe('review_changes.py: the summary line\'s length (it travels into a 1,000-character approval message)', () => {
  // A first release: every permission of the app's roles is new, far more than any summary holds.
  const everything = () => review({}, packaged.deletes);

  it('at most 400 characters by default, and at most --summary-limit (a wave\'s share of the message)', () => {
    const whole = everything();
    assert.equal(whole.status, 3);
    assert.ok(whole.summary.length <= 400 && whole.summary.length > 200, `${whole.summary.length}: ${whole.summary}`);
    for (const limit of [250, 120]) {
      const short = review({}, packaged.deletes, undefined, ['--summary-limit', String(limit)]);
      assert.equal(short.status, 3);
      assert.ok(short.summary.length <= limit, `${short.summary.length} > ${limit}: ${short.summary}`);
      assert.match(short.summary, /IAM widens: /);
    }
  });
});

describe('review_changes.py inputs', () => {
  it('reads YAML with short tags (and get-template output) as the same template', () => {
    const yaml = YAML.stringify(packaged.v1)
      .replace(/"?Fn::GetAtt"?:\n\s+- DefaultRole\n\s+- Arn/, '!GetAtt DefaultRole.Arn')
;
    assert.match(yaml, /!GetAtt DefaultRole\.Arn/);
    // Unquoted, as people write it: a date to YAML 1.1, a string to CloudFormation.
    assert.match(yaml, /Version: 2012-10-17\n/);
    const fromYaml = review(file(yaml, 'yaml'), packaged.v1);
    assert.equal(fromYaml.status, 0, fromYaml.stdout + fromYaml.stderr);
    assert.ok(fromYaml.lines.includes('Resources (template comparison): no change'), fromYaml.stdout);
    const deployed = review({ TemplateBody: yaml, StagesAvailable: ['Original', 'Processed'] }, withNewCode(packaged.deletes));
    assert.equal(deployed.status, 3, deployed.stdout);
    // No stack yet: everything is added and every permission is new.
    const first = review({}, packaged.v1);
    assert.equal(first.status, 3, first.stdout);
    assert.match(first.summary, /^4 added, 0 modified, replacement unknown \(no change set\); IAM widens: DefaultRole may be assumed by Service:lambda\.amazonaws\.com; DefaultRole may dynamodb:GetItem on \*/);
  });

  it('exits 2 with the file and the cause on unreadable input', () => {
    const missing = review(join(work, 'missing.json'), packaged.v1);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^review_changes: .*missing\.json: No such file or directory/);
    const garbage = review(file('Resources: [unclosed', 'yaml'), packaged.v1);
    assert.equal(garbage.status, 2);
    assert.match(garbage.stderr, /neither JSON nor YAML/);
    const notTemplate = review(packaged.v1, file('[1, 2]'));
    assert.equal(notTemplate.status, 2);
    assert.match(notTemplate.stderr, /not a CloudFormation template/);
    const badChangeSet = review(packaged.v1, packaged.v1, { Status: 'FAILED' });
    assert.equal(badChangeSet.status, 2);
    assert.match(badChangeSet.stderr, /describe-change-set/);
  });
});

describe('buildspec-review.yml as CodeBuild runs it (a stand-in aws answering from files)', () => {
  /** A stand-in `aws`: the stack's status, its deployed template, the change set and the change set's template. */
  const FAKE_AWS = `#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
folder = os.environ['FAKE_AWS_DIR']
with open(os.path.join(folder, 'calls.log'), 'a') as log:
    log.write(' '.join(args) + ' [as ' + os.environ.get('AWS_ACCESS_KEY_ID', 'the build role') + ']\\n')
def read(name):
    with open(os.path.join(folder, name)) as handle:
        return handle.read()
if args[:2] == ['cloudformation', 'describe-stacks']:
    if not os.path.exists(os.path.join(folder, 'deployed.json')):
        sys.stderr.write('An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id x does not exist\\n')
        sys.exit(254)
    print('UPDATE_COMPLETE')
elif args[:2] == ['cloudformation', 'get-template']:
    body = read('change-set-template.json' if '--change-set-name' in args else 'deployed.json')
    print(json.dumps({'TemplateBody': json.loads(body), 'StagesAvailable': ['Original', 'Processed']}))
elif args[:2] == ['cloudformation', 'describe-change-set']:
    print(read('change-set.json'))
elif args[:2] == ['sts', 'assume-role'] and os.path.exists(os.path.join(folder, 'trusts')):
    print('ASIAREVIEW\\tsecret-of-review\\ttoken-of-review')
elif args[:2] == ['sts', 'assume-role']:
    sys.stderr.write('An error occurred (AccessDenied) when calling the AssumeRole operation: not authorized\\n')
    sys.exit(254)
else:
    sys.stderr.write('unexpected aws call: ' + ' '.join(args) + '\\n')
    sys.exit(255)
`;
  const CHANGE_SET = {
    ChangeSetName: 'shopProdChangeSet', StackName: 'shopProdStack', Status: 'CREATE_COMPLETE',
    ChangeSetId: 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/shopProdChangeSet/0a1b', StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/shopProdStack/9f8e',
    Changes: [
      { Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'APIHandler', ResourceType: 'AWS::Lambda::Function', Replacement: 'False', Scope: ['Properties'] } },
      { Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'DefaultRole', ResourceType: 'AWS::IAM::Role', Replacement: 'False', Scope: ['Properties'] } },
    ],
  };

  async function reviewBuild(answers: PartialAnswers, env: Record<string, string>, stack: { deployed?: unknown; changeSetTemplate?: unknown; artifact?: [string, unknown]; trusts?: boolean }) {
    const files = newRepositoryFiles({ appName: 'shop', ...answers });
    const source = repositoryCopy(files, 'cp-review-build-');
    const fake = join(source, '.fake-aws');
    writeTree(fake, {
      'bin/aws': FAKE_AWS, 'change-set.json': JSON.stringify(CHANGE_SET),
      ...(stack.deployed ? { 'deployed.json': JSON.stringify(stack.deployed) } : {}),
      ...(stack.changeSetTemplate ? { 'change-set-template.json': JSON.stringify(stack.changeSetTemplate) } : {}),
      ...(stack.trusts ? { trusts: '' } : {}),
    });
    chmodSync(join(fake, 'bin/aws'), 0o755);
    const extra: Record<string, string> = {};
    if (stack.artifact) {
      const artifactDir = join(source, '.artifact');
      writeTree(artifactDir, { [stack.artifact[0]]: YAML.stringify(stack.artifact[1]) });
      extra.CODEBUILD_SRC_DIR_CompiledCFNTemplate = artifactDir;
    }
    const run = await runBuildspec({
      source, buildspec: 'buildspec-review.yml', project: 'shopChangeReview',
      env: { ...env, ...extra, FAKE_AWS_DIR: fake, PATH: `${join(fake, 'bin')}:${pythonEnv().PATH}` },
    });
    const calls = readFileSync(join(fake, 'calls.log'), 'utf8');
    rmSync(source, { recursive: true, force: true });
    return { run, calls };
  }

  it('the approval before prod: reads the deployed template, the change set and its template; exports the summary and the change set link', async () => {
    const { run, calls } = await reviewBuild({}, { STACK_NAME: 'shopProdStack', CHANGE_SET_NAME: 'shopProdChangeSet' }, { deployed: packaged.v1, changeSetTemplate: withNewCode(packaged.deletes) });
    assert.equal(run.status, 0, run.output);
    assert.equal(run.exported.IAM_WIDENS, 'true');
    assert.equal(run.exported.SUMMARY, '2 modified, 0 replaced; IAM widens: DefaultRole may dynamodb:DeleteItem on *');
    assert.equal(run.exported.CHANGE_SET_URL, 'https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/changesets/changes?stackId=arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack%2FshopProdStack%2F9f8e&changeSetId=arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3AchangeSet%2FshopProdChangeSet%2F0a1b');
    assert.match(run.exported.REPORT_URL, /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/codebuild\/home\?region=us-east-1#\/builds\/shopChangeReview/);
    assert.match(calls, /get-template --region us-east-1 --stack-name shopProdStack --change-set-name shopProdChangeSet --template-stage Original/);
    assert.match(run.output, /IAM widens:\n\s+DefaultRole may dynamodb:DeleteItem on \*/);
  });

  it('the V2 gate before beta: compares the artifact\'s template, never fails the build (the stage condition decides)', async () => {
    const widening = await reviewBuild({}, { STACK_NAME: 'shopBetaStack', TEMPLATE: 'transformed-beta.yaml' }, { deployed: packaged.v1, artifact: ['transformed-beta.yaml', packaged.deletes] });
    assert.equal(widening.run.status, 0, widening.run.output);
    assert.equal(widening.run.exported.IAM_WIDENS, 'true');
    assert.doesNotMatch(widening.calls, /change-set/);
    const same = await reviewBuild({}, { STACK_NAME: 'shopBetaStack', TEMPLATE: 'transformed-beta.yaml' }, { deployed: packaged.v1, artifact: ['transformed-beta.yaml', withNewCode(packaged.v1)] });
    assert.equal(same.run.exported.IAM_WIDENS, 'false');
    assert.equal(same.run.exported.SUMMARY, '1 modified, replacement unknown (no change set); IAM does not widen');
  });

  it('the V1 gate fails the build when IAM widens, and a first release (no stack yet) counts every permission as new', async () => {
    const v1 = { pipelineType: 'V1' } as const;
    const first = await reviewBuild(v1, { STACK_NAME: 'shopBetaStack', TEMPLATE: 'transformed-beta.yaml', FAIL_ON_WIDENING: 'true' }, { artifact: ['transformed-beta.yaml', packaged.v1] });
    assert.notEqual(first.run.status, 0);
    assert.equal(first.run.failedPhase, 'BUILD');
    assert.match(first.run.output, /IAM widens, and this stage has no approval: 4 added/);
    const unchanged = await reviewBuild(v1, { STACK_NAME: 'shopBetaStack', TEMPLATE: 'transformed-beta.yaml', FAIL_ON_WIDENING: 'true' }, { deployed: packaged.v1, artifact: ['transformed-beta.yaml', packaged.v1] });
    assert.equal(unchanged.run.status, 0, unchanged.run.output);
  });

  it('a stack in another account: assumes the review role there first, then every read runs as that role; a refused role fails the review', async () => {
    const role = 'arn:aws:iam::222222222222:role/shopProdReviewRole';
    const env = { STACK_NAME: 'shopProdStack', CHANGE_SET_NAME: 'shopProdChangeSet', REVIEW_ROLE_ARN: role };
    // A wave's share of the approval message (SUMMARY_LIMIT) reaches the script.
    const { run, calls } = await reviewBuild({ prodAccountId: '222222222222' }, { ...env, SUMMARY_LIMIT: '90' }, { deployed: {}, changeSetTemplate: packaged.deletes, trusts: true });
    assert.equal(run.status, 0, run.output);
    assert.equal(run.exported.IAM_WIDENS, 'true');
    assert.ok(run.exported.SUMMARY.length <= 90, run.exported.SUMMARY);
    const lines = calls.trim().split('\n');
    assert.match(lines[0], new RegExp(`^sts assume-role --role-arn ${role} --role-session-name change-review .*\\[as testing\\]$`));   // the runner's dummy credentials: the build role's
    assert.ok(lines.length >= 4, calls);
    for (const line of lines.slice(1)) assert.match(line, /^cloudformation (describe-stacks|get-template|describe-change-set) .*\[as ASIAREVIEW\]$/);
    const refused = await reviewBuild({ prodAccountId: '222222222222' }, env, { deployed: packaged.v1, changeSetTemplate: withNewCode(packaged.v1) });
    assert.equal(refused.run.status === 0, false, refused.run.output);
    assert.equal(refused.run.failedPhase, 'BUILD');
    assert.match(refused.run.output, /cannot assume arn:aws:iam::222222222222:role\/shopProdReviewRole: deploy target-account\.json in that account first/);
    assert.doesNotMatch(refused.calls, /^cloudformation/m, 'nothing is read as the build role when the review role is refused');
  });
});
