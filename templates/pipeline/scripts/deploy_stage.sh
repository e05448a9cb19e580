#!/usr/bin/env bash
# Deploys one release target as CodePipeline's Beta/Prod stages do, from the CI job signed in as the target's CI role
# (ci-access.json): the stage's package from build/<stage>/sam.json uploaded with `aws cloudformation package`, then a
# change set created with the least-privilege deploy role, executed and waited for. A failed deploy ends the job red
# with CloudFormation's reason; the stack rolls back by itself. The stack's EndpointURL goes to build/<stage>/endpoint.env
# (ENDPOINT_URL=..., for the integration tests).
#
#   scripts/deploy_stage.sh <chalice stage> <app stack> <ci-access stack> <deploy role output> [<CodeDeploy role output>]
set -euo pipefail
stage="$1" stack="$2" access="$3" deploy_role_output="$4" codedeploy_output="${5:-}"

output_of() { # output_of <stack> <output key>
  aws cloudformation describe-stacks --stack-name "$1" --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
}
failed_events() {
  echo "CloudFormation's reason (newest first):" >&2
  aws cloudformation describe-stack-events --stack-name "$stack" --max-items 40 \
    --query "StackEvents[?contains(ResourceStatus, 'FAILED')].[Timestamp, LogicalResourceId, ResourceStatus, ResourceStatusReason]" --output text >&2 || true
}

bucket="$(output_of "$access" PackageBucket)"
deploy_role="$(output_of "$access" "$deploy_role_output")"
case "$deploy_role" in arn:*) ;; *) echo "no $deploy_role_output output in stack $access: deploy ci-access.json there first (make ci-access)" >&2; exit 1 ;; esac

aws cloudformation package --template-file "build/$stage/sam.json" --s3-bucket "$bucket" --s3-prefix "$stage" \
  --output-template-file "build/$stage/packaged.yaml"

parameters=()
if [ -n "$codedeploy_output" ]; then
  parameters=(--parameters "ParameterKey=CodeDeployRoleArn,ParameterValue=$(output_of "$access" "$codedeploy_output")")
fi

# A new stack is created through its first change set; a stack left in REVIEW_IN_PROGRESS by a failed first change set too.
if status="$(aws cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].StackStatus' --output text 2>&1)"; then
  case "$status" in
    REVIEW_IN_PROGRESS) type=CREATE ;;
    ROLLBACK_COMPLETE) echo "stack $stack is ROLLBACK_COMPLETE (its first deploy failed): delete it, then run the job again" >&2; failed_events; exit 1 ;;
    *) type=UPDATE ;;
  esac
else
  case "$status" in *"does not exist"*) type=CREATE ;; *) echo "$status" >&2; exit 1 ;; esac
fi

change_set="release-${GITHUB_RUN_ID:-${CI_PIPELINE_ID:-local}}-${GITHUB_RUN_ATTEMPT:-${CI_JOB_ID:-1}}"
# CloudFormation takes at most 51,200 bytes inline; a larger template goes through the stage's prefix of the bucket.
template=(--template-body "file://build/$stage/packaged.yaml")
if [ "$(wc -c < "build/$stage/packaged.yaml")" -gt 51200 ]; then
  key="$stage/templates/$change_set.yaml"
  aws s3 cp --only-show-errors "build/$stage/packaged.yaml" "s3://$bucket/$key"
  region="${AWS_REGION:-$AWS_DEFAULT_REGION}"
  case "$region" in cn-*) suffix=amazonaws.com.cn ;; *) suffix=amazonaws.com ;; esac
  template=(--template-url "https://$bucket.s3.$region.$suffix/$key")
fi
aws cloudformation create-change-set --stack-name "$stack" --change-set-name "$change_set" --change-set-type "$type" \
  "${template[@]}" --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
  --role-arn "$deploy_role" "${parameters[@]}" >/dev/null
if ! aws cloudformation wait change-set-create-complete --stack-name "$stack" --change-set-name "$change_set"; then
  reason="$(aws cloudformation describe-change-set --stack-name "$stack" --change-set-name "$change_set" --query StatusReason --output text)"
  case "$reason" in
    *"didn't contain changes"*|*"No updates are to be performed"*)
      echo "$stack: no changes"
      aws cloudformation delete-change-set --stack-name "$stack" --change-set-name "$change_set" ;;
    *) echo "change set $change_set of $stack failed: $reason" >&2; exit 1 ;;
  esac
else
  aws cloudformation execute-change-set --stack-name "$stack" --change-set-name "$change_set"
  if ! aws cloudformation wait "stack-$(echo "$type" | tr 'A-Z' 'a-z')-complete" --stack-name "$stack"; then
    echo "deploying $stack failed; CloudFormation rolls it back" >&2
    failed_events
    exit 1
  fi
fi
echo "ENDPOINT_URL=$(output_of "$stack" EndpointURL)" | tee "build/$stage/endpoint.env"
