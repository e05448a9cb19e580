// The Build stage's check of the packaged templates (scripts/check_deploy_role.py, generated with the role's
// coverage) in a run of the buildspec's build phase; deploy-role.test.ts runs it over every feature app.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPackageBuild, type PackageBuild } from './support/codebuild.js';
import { startS3Server, type S3Server } from './support/moto-s3.js';
import { cfnLint, newRepositoryFiles } from './support/tools.js';

describe('the build phase with the check (buildspec.yml as CodeBuild runs it)', () => {
  let s3: S3Server;
  let blocked: PackageBuild;
  let retention: PackageBuild;
  const withConfig = (change: (config: Record<string, unknown>) => void) => {
    const files = newRepositoryFiles({ appName: 'shop' });
    const config = JSON.parse(files.get('.chalice/config.json')!) as Record<string, unknown>;
    change(config);
    files.set('.chalice/config.json', `${JSON.stringify(config, null, 2)}\n`);
    return files;
  };

  before(async () => {
    s3 = await startS3Server();
    // The team adds VPC settings after the pipeline was generated: the role has no ec2:Describe* for them.
    const vpc = withConfig((config) => Object.assign(config, { subnet_ids: ['subnet-0123456789abcdef0'], security_group_ids: ['sg-0123456789abcdef0'] }));
    // aws/chalice#2079: log_retention_in_days with a route.
    const logs = withConfig((config) => Object.assign(config, { log_retention_in_days: 14 }));
    [blocked, retention] = await Promise.all([runPackageBuild(s3, { appName: 'shop' }, vpc), runPackageBuild(s3, { appName: 'shop' }, logs)]);
  });
  after(async () => {
    blocked?.cleanup();
    retention?.cleanup();
    await s3?.stop();
  });

  it('fails the BUILD phase with one line naming the feature, the resource and the fix, before anything is uploaded', async () => {
    assert.equal(blocked.run.status === 0, false, blocked.run.output);
    assert.equal(blocked.run.failedPhase, 'BUILD');
    const line = blocked.run.output.split('\n').find((text) => text.startsWith('deploy role cannot deploy'));
    assert.match(line ?? '', /^deploy role cannot deploy VPC settings \(subnet_ids \+ security_group_ids\): APIHandler \(AWS::Serverless::Function\) in build\/beta\/sam\.json; fix: re-run/);
    assert.deepEqual(await s3.listKeys(blocked.bucket), []);
  });

  it('repairs aws/chalice#2079 in the build: the packaged log group names the function Chalice created', async () => {
    assert.equal(retention.run.status, 0, retention.run.output);
    assert.match(retention.run.output, /repaired aws\/chalice#2079 .*ApiHandlerLogGroup: \/aws\/lambda\/\$\{ApiHandler\} -> \$\{APIHandler\}/);
    const logGroup = (retention.templates.get('transformed-beta.yaml') as { Resources: Record<string, { Properties: Record<string, unknown> }> }).Resources.ApiHandlerLogGroup;
    assert.deepEqual(logGroup.Properties.LogGroupName, { 'Fn::Sub': '/aws/lambda/${APIHandler}' });
    // cfn-lint's E1019 (a Sub naming no resource) is what makes Chalice's own output undeployable: gone once repaired.
    const repaired = join(retention.source, 'transformed-beta.yaml');
    const unrepaired = join(retention.source, 'unrepaired-beta.yaml');
    writeFileSync(unrepaired, readFileSync(repaired, 'utf8').replace('/aws/lambda/${APIHandler}', '/aws/lambda/${ApiHandler}'));
    const findings = await cfnLint([repaired, unrepaired]);
    assert.doesNotMatch(findings.get(repaired)!, /E1019/);
    assert.match(findings.get(unrepaired)!, /E1019/);
  });
});
