// The Serverless transform as CloudFormation runs it when a change set is created: the SAM translator that cfn-lint
// bundles, over a packaged template (its CodeUri values must be s3:// URIs, as `aws cloudformation package` writes).
import { pythonEnv } from './chalice.js';
import { runCommand } from './processes.js';

export interface ExpandedTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  [key: string]: unknown;
}

const EXPAND = `
import json, sys
from samtranslator.translator.transform import transform

class NoManagedPolicies:
    def load(self):
        return {}

templates = json.load(sys.stdin)
json.dump([transform(template, {}, NoManagedPolicies()) for template in templates], sys.stdout)
`;

/** Expands SAM templates (one Python process for all of them: the translator takes ~1 s to import). */
export async function expandServerless(templates: object[]): Promise<ExpandedTemplate[]> {
  const run = await runCommand('python3', ['-c', EXPAND], { cwd: process.cwd(), env: pythonEnv(), stdin: JSON.stringify(templates), timeoutMs: 120_000 });
  if (run.status !== 0) throw new Error(`the SAM translator failed (exit ${run.status}):\n${run.output}`);
  return JSON.parse(run.stdout) as ExpandedTemplate[];
}

/**
 * The name CloudFormation gives an unnamed resource of a stack under a service's name limit: `<stack>-<logicalId>-`
 * and 12 random characters; when that is too long, 13 characters stay for the tail and its hyphen and the rest is
 * split around one more hyphen, the stack name's half rounding up (written here from names CloudFormation produced,
 * independently of lib/facts/aws.ts, which the deploy role's scope reads).
 */
export function cloudFormationName(stack: string, logicalId: string, limit: number, random = randomTail()): string {
  const whole = `${stack}-${logicalId}-${random}`;
  if (whole.length <= limit) return whole;
  const stackPart = Math.min(stack.length, Math.ceil((limit - random.length - 2) / 2));
  return `${stack.slice(0, stackPart)}-${logicalId.slice(0, limit - random.length - 2 - stackPart)}-${random}`;
}

function randomTail(): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: 12 }, () => letters[Math.floor(Math.random() * letters.length)]).join('');
}
