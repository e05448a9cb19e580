// `make ci-access STAGE=<name>` (a wave: TARGET=<id>): deploys ci-access.json for one release target with that
// account's credentials, in its region, reusing the account's OIDC provider of the CI when it already has one.
import type { Project } from '../../answers/project.js';
import { CI_HOSTS } from '../../facts/aws.js';
import { CI_ACCESS_FILE, ciTargets } from '../../cloudformation/ci-access.js';
import type { MakeTargets } from '../makefile.js';
import { targetRegion } from './release-jobs.js';

export function ciAccessMakeTarget(project: Project, t: MakeTargets): string {
  const targets = ciTargets(project);
  const { issuer } = CI_HOSTS[project.externalCi!];
  const stages = [...new Set(targets.map((target) => target.stage.name))];
  const waves = targets.filter((target) => target.stage.targets.length > 1);
  const cases = targets.map((target) => {
    // A stage of one target needs no TARGET.
    const patterns = target.stage.targets.length === 1 ? `${target.stage.name}/|${target.stage.name}/${target.target.id}` : `${target.stage.name}/${target.target.id}`;
    return `\t  ${patterns}) target=${target.target.id} region=${targetRegion(project, target)} account=${target.target.accountId ?? ''} stack=${target.accessStack} ;; \\`;
  });
  const usage = `give STAGE=${stages.join('|')}${waves.length > 0 ? ` (and TARGET=${waves.map((target) => target.target.id).join('|')} for a wave)` : ''}`;
  return [
    `${t['ci-access']}: ## Deploy ${CI_ACCESS_FILE} for STAGE (${stages.join('|')}) with that account's credentials (AWS_PROFILE=...), before the first push`,
    '\t@case "$(STAGE)/$(TARGET)" in \\',
    ...cases,
    `\t  *) echo "STAGE=$(STAGE) TARGET=$(TARGET): ${usage}" >&2; exit 2 ;; \\`,
    '\tesac; \\',
    '\tactual="$$(aws sts get-caller-identity --query Account --output text)" || exit 1; \\',
    '\tif [ -n "$$account" ] && [ "$$actual" != "$$account" ]; then echo "these credentials are for account $$actual, not $$account (the $(STAGE) account): set AWS_PROFILE to that account\'s" >&2; exit 2; fi; \\',
    // An account has one provider per issuer: reuse one another stack (or the console) created, never this stack's own.
    `\texisting="$$(aws iam list-open-id-connect-providers --query "OpenIDConnectProviderList[?ends_with(Arn, '/${issuer}')].Arn" --output text)"; \\`,
    '\towned="$$(aws cloudformation describe-stack-resource --region $$region --stack-name $$stack --logical-resource-id OidcProvider --query StackResourceDetail.PhysicalResourceId --output text 2>/dev/null)"; \\',
    '\tprovider="$(OIDC_PROVIDER_ARN)"; \\',
    '\tif [ -z "$$provider" ] && [ -n "$$existing" ] && [ "$$existing" != "$$owned" ]; then provider="$$existing"; echo "using the account\'s OIDC provider $$existing (the stack that created it must stay)"; fi; \\',
    `\taws cloudformation deploy --region $$region --stack-name $$stack --template-file ${CI_ACCESS_FILE} --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --parameter-overrides ApplicationName=$(APP_NAME)${targets.length > 1 ? ' Target=$$target' : ''} ExistingOidcProviderArn=$$provider`,
  ].join('\n');
}
