// The self-update role (PipelineUpdateRole) against every call CloudFormation makes when a change set applies
// pipeline.json to its own stack: for every answer set, each resource's create, update, delete (not for retained ones)
// and read handlers are allowed, except on the roles that have no permissions boundary and the boundary itself; and
// the role cannot widen anything (the escalations below are each denied).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PartialAnswers } from '../lib/answers/settings.js';
import { PipelineStackRequests, type PipelineRequest } from './support/pipeline-requests.js';
import { ACCOUNT, allows, pipelineRoleArn, roleStatements, type IamRequest, type IamStatement } from './support/iam-policy.js';
import type { CfnTemplate } from './support/security-rules.js';
import { answersMatrix, newRepositoryFiles } from './support/tools.js';

const UPDATE_ROLE = 'PipelineUpdateRole';
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/PipelineRolesBoundary`;
/** Widening actions: on a role without the boundary, or on the boundary, each of them must be denied. */
const WIDENING = /^iam:(CreateRole|PutRolePolicy|DeleteRolePolicy|AttachRolePolicy|DetachRolePolicy|UpdateAssumeRolePolicy|PutRolePermissionsBoundary|DeleteRolePermissionsBoundary|CreatePolicyVersion|DeletePolicyVersion|SetDefaultPolicyVersion|DeletePolicy)$/i;

/** The roles without a permissions boundary, the boundary, and the update role itself: changed only by an administrator's deploy. */
function anchorsOf(template: CfnTemplate): Set<string> {
  return new Set(Object.entries(template.Resources)
    .filter(([id, resource]) => id === 'PipelineRolesBoundary' || (resource.Type === 'AWS::IAM::Role' && (resource.Properties as Record<string, unknown>).PermissionsBoundary === undefined))
    .map(([id]) => id));
}

interface Case { name: string; template: CfnTemplate; role: IamStatement[]; requests: PipelineRequest[]; anchors: Set<string> }

const key = (answers: PartialAnswers) => JSON.stringify(answers);
const CASES: Case[] = [...new Map(answersMatrix().map((answers) => [key({ ...answers, selfUpdate: true }), { ...answers, selfUpdate: true }])).values()].map((answers) => {
  const template = JSON.parse(newRepositoryFiles(answers).get('pipeline.json')!) as CfnTemplate;
  return {
    name: key(answers), template, role: roleStatements(template, UPDATE_ROLE),
    requests: new PipelineStackRequests(template).requests(), anchors: anchorsOf(template),
  };
});

const describeRequest = (r: PipelineRequest) => `${r.resourceId} ${r.handler}: ${r.action} on ${r.resource}${r.context ? ` ${JSON.stringify(r.context)}` : ''}`;
const isAnchor = (entry: Case, request: PipelineRequest) => entry.anchors.has(request.resourceId.split(' ')[0]!);

describe('the self-update role updates the pipeline, handler by handler, for every answer set', () => {
  it(`allows every create, update, delete and read call on the stack's resources (${CASES.length} answer sets)`, () => {
    const denied = new Set<string>();
    for (const entry of CASES) {
      for (const request of entry.requests) {
        // Removing a role's boundary is what the role must never do (below); the update handler calls it only then.
        if (isAnchor(entry, request) || request.action === 'iam:DeleteRolePermissionsBoundary') continue;
        if (!allows(entry.role, request)) denied.add(describeRequest(request));
      }
    }
    assert.deepEqual([...denied], []);
  });

  it('covers what the pipeline needs on every push that changes it and with every source', () => {
    const needed = (entry: Case, action: string) => entry.requests.some((request) => request.action === action && allows(entry.role, request));
    for (const entry of CASES) {
      for (const action of ['codepipeline:GetPipelineState', 'codepipeline:StartPipelineExecution', 'codepipeline:UpdatePipeline', 'iam:PassRole']) assert.ok(needed(entry, action), `${entry.name}: ${action}`);
      if (entry.template.Parameters?.RepositoryId) assert.ok(needed(entry, 'codestar-connections:PassConnection'), `${entry.name}: PassConnection`);
      if (entry.template.Resources.ArtifactKey) assert.ok(needed(entry, 'kms:PutKeyPolicy'), `${entry.name}: the key policy`);
    }
  });
});

describe('the self-update role cannot widen anything', () => {
  it('every widening call on a role without a boundary, and on the boundary, is denied', () => {
    const allowed: string[] = [];
    let checked = 0;
    for (const entry of CASES) {
      for (const request of entry.requests.filter((r) => isAnchor(entry, r) && WIDENING.test(r.action))) {
        checked += 1;
        if (allows(entry.role, request)) allowed.push(describeRequest(request));
      }
    }
    assert.ok(checked > 0);
    assert.deepEqual(allowed, []);
  });

  const attempts = (): [string, IamRequest][] => {
    const bounded = { 'iam:PermissionsBoundary': BOUNDARY_ARN };
    const codeBuildRole = pipelineRoleArn('CodeBuildRole');
    const list: [string, IamRequest][] = [
      ['a role created without the boundary', { action: 'iam:CreateRole', resource: pipelineRoleArn('NewRole') }],
      ['a role created with another boundary', { action: 'iam:CreateRole', resource: pipelineRoleArn('NewRole'), context: { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/Wide` } }],
      ...['PipelineUpdateRole', 'CFNDeployRole', 'CodePipelineRole'].flatMap((id): [string, IamRequest][] => [
        [`an inline policy on ${id}`, { action: 'iam:PutRolePolicy', resource: pipelineRoleArn(id) }],
        [`the trust policy of ${id}`, { action: 'iam:UpdateAssumeRolePolicy', resource: pipelineRoleArn(id) }],
        [`a managed policy on ${id}`, { action: 'iam:AttachRolePolicy', resource: pipelineRoleArn(id), context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' } }],
      ]),
      ['the trust policy of a role of another stack', { action: 'iam:UpdateAssumeRolePolicy', resource: `arn:aws:iam::${ACCOUNT}:role/other-CodeBuildRole-1A2B3C4D5E6F` }],
      ['AdministratorAccess on a bounded role', { action: 'iam:AttachRolePolicy', resource: codeBuildRole, context: { ...bounded, 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' } }],
      ["another stack's policy on a bounded role", { action: 'iam:AttachRolePolicy', resource: codeBuildRole, context: { ...bounded, 'iam:PolicyARN': `arn:aws:iam::${ACCOUNT}:policy/other-stack-Policy-1A2B` } }],
      ['the boundary removed', { action: 'iam:DeleteRolePermissionsBoundary', resource: codeBuildRole, context: bounded }],
      ['the boundary replaced', { action: 'iam:PutRolePermissionsBoundary', resource: codeBuildRole, context: { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/Wide` } }],
      ['the boundary rewritten', { action: 'iam:CreatePolicyVersion', resource: BOUNDARY_ARN }],
      ['the boundary deleted', { action: 'iam:DeletePolicy', resource: BOUNDARY_ARN }],
      ['a role outside the stack passed to CodeBuild', { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/admin`, context: { 'iam:PassedToService': 'codebuild.amazonaws.com' } }],
      ["a stack role passed to a service it does not serve (Lambda)", { action: 'iam:PassRole', resource: codeBuildRole, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }],
      ['the policy of another key', { action: 'kms:PutKeyPolicy', resource: 'arn:aws:kms:us-east-1:123456789012:key/other' }],
      ['another pipeline', { action: 'codepipeline:UpdatePipeline', resource: 'arn:aws:codepipeline:us-east-1:123456789012:otherPipeline' }],
    ];
    return list;
  };

  it('denies each escalation in every answer set (and allows the bounded changes it exists for)', () => {
    const allowed: string[] = [];
    for (const entry of CASES) {
      for (const [what, request] of attempts()) if (allows(entry.role, request)) allowed.push(`${entry.name}: ${what}`);
      const codeBuildRole = pipelineRoleArn('CodeBuildRole');
      assert.ok(allows(entry.role, { action: 'iam:PutRolePolicy', resource: codeBuildRole, context: { 'iam:PermissionsBoundary': BOUNDARY_ARN } }));
      assert.ok(allows(entry.role, { action: 'iam:UpdateAssumeRolePolicy', resource: codeBuildRole }));
    }
    assert.deepEqual(allowed, []);
  });

  it('the checks can fail: without the pipeline statement the restart is denied; without the Deny the boundary could go', () => {
    const entry = CASES[0]!;
    const restart = entry.requests.find((request) => request.action === 'codepipeline:StartPipelineExecution')!;
    assert.equal(allows(entry.role.filter((statement) => statement.Sid !== 'UpdateOwnPipeline'), restart), false);
    const removal = { action: 'iam:DeleteRolePermissionsBoundary', resource: pipelineRoleArn('CodeBuildRole'), context: { 'iam:PermissionsBoundary': BOUNDARY_ARN } };
    const loosened = [...entry.role.filter((statement) => statement.Sid !== 'KeepBoundaryOnRoles'), { Effect: 'Allow', Action: ['iam:*RolePermissionsBoundary'], Resource: ['*'] }];
    assert.equal(allows(loosened, removal), true);
    assert.equal(allows(entry.role, removal), false);
  });
});
