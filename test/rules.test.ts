// Every rule of lib/answers/rules.ts at its edges, with hand-written values: the last value a rule accepts and the
// first it refuses, so that moving a limit or dropping a clause fails here (bad-input.test.ts shows the messages
// end to end). Fast: no process, no file; `npm run mutate` runs it against lib/answers/rules.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accountIdRule, appNameRule, branchRule, closest, connectionArnRule, emailRule, imageRule, partitionOf, pythonVersionRule,
  regionRule, repositoryRule, stackNameRule, stageRegionRule,
} from '../lib/answers/rules.js';

const accepts = (rule: (value: string) => string | undefined, values: string[]) => {
  for (const value of values) assert.equal(rule(value), undefined, `${JSON.stringify(value)} is refused`);
};
const refuses = (rule: (value: string) => string | undefined, values: string[], message: RegExp) => {
  for (const value of values) assert.match(rule(value) ?? 'accepted', message, `${JSON.stringify(value)}`);
};

describe('answer rules at their edges', () => {
  it('e-mail: at most 254 characters (RFC 5321\'s path limit), the address form otherwise', () => {
    // 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 characters; one more letter is 255.
    const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    assert.equal(longest.length, 254);
    accepts(emailRule, [longest, 'team@example.com', 'a.b+c_d%e-f@sub.example.co', 'x@y.z']);
    refuses(emailRule, [`${longest}d`, `a${longest}`], /^must be an e-mail address such as team@example\.com/);
    refuses(emailRule, ['team', 'team@example', '.a@b.com', 'a.@b.com', 'a..b@c.com', 'a@-b.com', 'a@b-.com', 'a@b.1com', 'a b@c.com', 'a@b.com\n'], /^must be an e-mail address/);
  });

  it('app name: a letter first, letters, digits and "-", no "-" last, at most 60 characters', () => {
    accepts(appNameRule, ['a', 'ab', 'a1', 'orders-api', `a${'b'.repeat(59)}`]);
    refuses(appNameRule, [`a${'b'.repeat(60)}`, '1a', '-a', 'a-', 'a_b', 'a b', ''], /^must start with a letter, .* at most 60 characters \(`chalice deploy` names the function <appName>-dev, and Lambda allows 64\)$/);
  });

  it('stack name: a letter first, letters, digits and "-", at most 128 characters', () => {
    accepts(stackNameRule, ['a', 'orders-pipeline', `a${'b'.repeat(127)}`]);
    refuses(stackNameRule, [`a${'b'.repeat(128)}`, '1a', 'a_b', ''], /^must start with a letter .* \(at most 128 characters\)/);
  });

  it('python version: exactly one of the supported versions', () => {
    accepts(pythonVersionRule, ['3.10', '3.11', '3.12', '3.13', '3.14']);
    refuses(pythonVersionRule, ['3.9', '3.15', '3.1', '313', ' 3.13'], /^must be one of 3\.10, 3\.11, 3\.12, 3\.13, 3\.14 \(/);
  });

  it('region: a known region code, with the nearest one offered for a typo and none for nonsense', () => {
    accepts(regionRule, ['us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1']);
    assert.equal(regionRule('eu-wset-1'), 'must be an AWS region code such as us-east-1 (did you mean eu-west-1?)');
    assert.equal(regionRule('US-EAST-1'), 'must be an AWS region code such as us-east-1 (did you mean us-east-1?)');
    assert.equal(regionRule('mars'), 'must be an AWS region code such as us-east-1');
    assert.equal(closest('us-east-1', ['us-east-1', 'us-east-2']), 'us-east-1');
    // The threshold: a third of the length, at least 3 edits.
    assert.equal(closest('abcdef', ['abcxyz']), 'abcxyz');
    assert.equal(closest('abcdef', ['axxxxx']), undefined);
    assert.equal(closest('abcdefghijkl', ['abcdefghwxyz']), 'abcdefghwxyz');
    assert.equal(closest('abcdefghijkl', ['abcdefgvwxyz']), undefined);
    // Every character counts, the last one too: "ab" is as far from "b" as from "a", and the first candidate wins a tie.
    assert.equal(closest('ab', ['b', 'a']), 'b');
    assert.equal(closest('ab', ['a', 'b']), 'a');
  });

  it('stage region: a region of the pipeline\'s own partition', () => {
    assert.deepEqual(['eu-west-1', 'cn-north-1', 'us-gov-east-1'].map(partitionOf), ['aws', 'aws-cn', 'aws-us-gov']);
    assert.equal(stageRegionRule('eu-west-1', 'us-east-1'), undefined);
    assert.equal(stageRegionRule('cn-northwest-1', 'cn-north-1'), undefined);
    assert.equal(stageRegionRule('eu-west-1', undefined), undefined);
    assert.equal(stageRegionRule('eu-west-1', 'nowhere-1'), undefined, 'a bad pipeline region is reported on its own');
    assert.equal(stageRegionRule('cn-north-1', 'us-east-1'), 'must be in the pipeline\'s partition (aws, region us-east-1): CodePipeline cannot deploy across partitions');
    assert.match(stageRegionRule('us-east-1', 'us-gov-west-1') ?? '', /^must be in the pipeline's partition \(aws-us-gov, region us-gov-west-1\)/);
    assert.match(stageRegionRule('eu-wset-1', 'us-east-1') ?? '', /^must be an AWS region code .*did you mean eu-west-1/);
  });

  it('account id: exactly 12 digits', () => {
    accepts(accountIdRule, ['123456789012', '000000000000']);
    refuses(accountIdRule, ['12345678901', '1234567890123', '12345678901a', ' 123456789012'], /^must be an AWS account id: exactly 12 digits/);
  });

  it('branch: git\'s rules, narrowed to safe characters', () => {
    accepts(branchRule, ['main', 'release/2.x', 'feature_a-b', 'a.b', 'v1.0/x.y', 'a'.repeat(200)]);
    const rule = /^must be a valid git branch name \(git check-ref-format\)/;
    refuses(branchRule, ['a'.repeat(201), '', '-main', '/main', 'main/', 'main.', 'a..b', 'a//b', '@', '.hidden', 'a/.b', 'a.lock', 'a/b.lock/c', 'a b', 'a~b', 'a:b'], rule);
    assert.equal(branchRule('a..b'), 'must be a valid git branch name (git check-ref-format) made of letters, digits, ".", "_", "-" and "/": '
      + 'no "..", "//" or "@{", no part starting with "." or ending with ".lock", not starting with "-" or "/", not ending with "/" or "."');
    assert.match(branchRule('HEAD') ?? '', /, and not HEAD$/);
    assert.doesNotMatch(branchRule('main.') ?? '', /HEAD/);
  });

  it('repository: a CodeCommit name, or owner/repo (groups on GitLab only)', () => {
    const codecommit = (value: string) => repositoryRule(value, 'codecommit');
    accepts(codecommit, ['orders', 'a.b_c-d', 'a'.repeat(100), '.x', 'x.gi']);
    refuses(codecommit, ['a'.repeat(101), '', 'a/b', 'orders.git', '.', '..', 'a b'], /^must be a CodeCommit repository name: .* not ending in "\.git", not "\." or "\.\."$/);
    const github = (value: string) => repositoryRule(value, 'github');
    const gitlab = (value: string) => repositoryRule(value, 'gitlab');
    accepts(github, ['acme/orders', 'a.b/c_d-e']);
    accepts(gitlab, ['acme/orders', 'group/sub/orders']);
    refuses(github, ['acme', 'group/sub/orders', 'acme/', '/orders', 'acme/..', './orders', 'a b/c'], /^must be "owner\/repo" for a github source: /);
    assert.doesNotMatch(github('acme') ?? '', /subgroup/);
    refuses(gitlab, ['acme', 'group/../orders'], /^must be "owner\/repo" \(or "group\/subgroup\/repo"\) for a gitlab source/);
    assert.match(repositoryRule('acme', 'bitbucket') ?? '', /^must be "owner\/repo" for a bitbucket source/);
  });

  it('connection ARN: CodeConnections or CodeStar connections, a 12-digit account and a UUID', () => {
    const uuid = '12345678-abcd-4321-abcd-1234567890ab';
    accepts(connectionArnRule, [
      `arn:aws:codeconnections:us-east-1:123456789012:connection/${uuid}`,
      `arn:aws:codestar-connections:eu-west-1:123456789012:connection/${uuid}`,
      `arn:aws-cn:codeconnections:cn-north-1:123456789012:connection/${uuid}`,
      `arn:aws-us-gov:codeconnections:us-gov-west-1:123456789012:connection/${uuid}`,
    ]);
    refuses(connectionArnRule, [
      `arn:aws:codecommit:us-east-1:123456789012:connection/${uuid}`,
      `arn:aws:codeconnections:us-east-1:12345678901:connection/${uuid}`,
      `arn:aws:codeconnections:us-east-1:123456789012:connection/${uuid.toUpperCase()}`,
      `arn:aws:codeconnections:us-east-1:123456789012:connection/${uuid}x`,
      `xarn:aws:codeconnections:us-east-1:123456789012:connection/${uuid}`,
    ], /^must be a CodeConnections ARN: arn:aws:codeconnections:<region>:<12-digit account>:connection\/<uuid> \(codestar-connections is accepted too\)$/);
  });

  it('build image: a curated image providing the Python version; a retired one is named as such', () => {
    assert.equal(imageRule('aws/codebuild/amazonlinux-x86_64-standard:5.0', '3.13'), undefined);
    assert.equal(imageRule('aws/codebuild/standard:7.0', undefined), undefined);
    assert.match(imageRule('aws/codebuild/amazonlinux2-x86_64-standard:3.0', '3.13') ?? '', /^is retired or not a documented CodeBuild image; use one of aws\/codebuild\/amazonlinux-x86_64-standard:5\.0, /);
    assert.match(imageRule('my/image:1', '3.13') ?? '', /^must be a curated CodeBuild image that provides Python through runtime-versions: aws\/codebuild\/amazonlinux-x86_64-standard:5\.0, /);
    assert.equal(imageRule('aws/codebuild/standard:7.0', '3.9'), 'does not provide Python 3.9 (it has 3.10, 3.11, 3.12, 3.13, 3.14); pick another image or Python version');
  });
});
