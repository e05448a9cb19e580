#!/usr/bin/env bash
# Deploys one release target as CodePipeline's deploy stages do, from the CI job signed in as the target's CI role
# (ci-access.json): the stage's package from build/<stage>/sam.json uploaded with `aws cloudformation package`, then a
# change set created with the least-privilege deploy role, executed and waited for. A failed deploy ends the job red
# with CloudFormation's reason; the stack rolls back by itself. The stack's EndpointURL goes to build/<stage>/endpoint.env
# (ENDPOINT_URL=..., for the integration tests).
#
#   [DEPLOY_STEP=all|review|execute] scripts/deploy_stage.sh <chalice stage> <app stack> <ci-access stack> <deploy role output> [<CodeDeploy role output>]
#
# DEPLOY_STEP=review creates the change set and reviews it (scripts/review_changes.py: the deployed template against
# the change set's): the report goes to the log, the job summary (GitHub) and build/<stage>/review.txt; the change set
# to execute, and whether IAM widens, to build/<stage>/change-set.env. With FAIL_ON_WIDENING=true a widening fails the
# job unless APPROVE_IAM_WIDENING holds the digest it prints. DEPLOY_STEP=execute executes that change set later
# (after the approval). DEPLOY_STEP=all (the default) creates and executes at once.
set -euo pipefail
stage="$1" stack="$2" access="$3" deploy_role_output="$4" codedeploy_output="${5:-}"
step="${DEPLOY_STEP:-all}" state="build/$stage/change-set.env"
case "$step" in all|review|execute) ;; *) echo "DEPLOY_STEP is all, review or execute, not $step" >&2; exit 2 ;; esac

output_of() { # output_of <stack> <output key>
  aws cloudformation describe-stacks --stack-name "$1" --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
}
failed_events() {
  echo "CloudFormation's reason (newest first):" >&2
  aws cloudformation describe-stack-events --stack-name "$stack" --max-items 40 \
    --query "StackEvents[?contains(ResourceStatus, 'FAILED')].[Timestamp, LogicalResourceId, ResourceStatus, ResourceStatusReason]" --output text >&2 || true
}

# Package, then the change set with the deploy role; its name and whether it changes anything go to $state.
create_change_set() {
  local bucket deploy_role parameters status type change_set template key region suffix reason changes
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
  changes=yes
  if ! aws cloudformation wait change-set-create-complete --stack-name "$stack" --change-set-name "$change_set"; then
    reason="$(aws cloudformation describe-change-set --stack-name "$stack" --change-set-name "$change_set" --query StatusReason --output text)"
    case "$reason" in
      *"didn't contain changes"*|*"No updates are to be performed"*)
        echo "$stack: no changes"
        aws cloudformation delete-change-set --stack-name "$stack" --change-set-name "$change_set"
        changes=no ;;
      *) echo "change set $change_set of $stack failed: $reason" >&2; exit 1 ;;
    esac
  fi
  printf 'CHANGE_SET=%s\nTYPE=%s\nCHANGES=%s\n' "$change_set" "$type" "$changes" > "$state"
}

review_change_set() {
  local report="build/$stage/review.txt" widens=false summary digest=""
  if [ "$CHANGES" = no ]; then
    summary="no changes"
    echo "$stack: no changes" > "$report"
  else
    aws cloudformation describe-change-set --stack-name "$stack" --change-set-name "$CHANGE_SET" > "build/$stage/change-set.json"
    aws cloudformation get-template --stack-name "$stack" --change-set-name "$CHANGE_SET" --template-stage Original > "build/$stage/new.json"
    # A first release (the stack is created by this change set) compares against nothing: every permission is new.
    if [ "$TYPE" = CREATE ]; then echo '{}' > "build/$stage/deployed.json"
    else aws cloudformation get-template --stack-name "$stack" --template-stage Original > "build/$stage/deployed.json"; fi
    status=0
    python scripts/review_changes.py "build/$stage/deployed.json" "build/$stage/new.json" --change-set "build/$stage/change-set.json" \
      --summary-file "build/$stage/summary.txt" > "$report" || status=$?
    case "$status" in 0) ;; 3) widens=true ;; *) cat "$report"; echo "the review of $stack failed (review_changes.py exit $status)" >&2; exit 1 ;; esac
    summary="$(cat "build/$stage/summary.txt")"
    # What the approval of a widening names: exactly these widenings (a different change needs its own approval).
    if [ "$widens" = true ]; then digest="$(sed -n '/^IAM widens:$/,/^[^ ]/p' "$report" | grep '^  ' | sha256sum | cut -c1-16)"; fi
  fi
  cat "$report"
  printf 'IAM_WIDENS=%s\n' "$widens" >> "$state"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '### %s: %s\n\n```\n%s\n```\n' "$stack" "$summary" "$(cat "$report")" >> "$GITHUB_STEP_SUMMARY"
  fi
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf 'iam_widens=%s\nsummary=%s\n' "$widens" "$(printf '%s' "$summary" | tr '\n' ' ')" >> "$GITHUB_OUTPUT"
  fi
  if [ "$widens" = true ] && [ "${FAIL_ON_WIDENING:-false}" = true ] && [ "${APPROVE_IAM_WIDENING:-}" != "$digest" ]; then
    echo "IAM widens, and stage $stage has no approval: $summary" >&2
    echo "To ship exactly these widenings, run the pipeline again with the variable APPROVE_IAM_WIDENING=$digest (or give the stage an approval)." >&2
    exit 3
  fi
}

execute_change_set() {
  if [ "$CHANGES" = no ]; then echo "$stack: no changes to execute"; else
    if ! aws cloudformation execute-change-set --stack-name "$stack" --change-set-name "$CHANGE_SET"; then
      # Executing a change set deletes the stack's others: a later release's review or deploy came first.
      echo "change set $CHANGE_SET of $stack cannot be executed (gone: a later release executed its own?): run this stage's review again" >&2
      exit 1
    fi
    if ! aws cloudformation wait "stack-$(echo "$TYPE" | tr 'A-Z' 'a-z')-complete" --stack-name "$stack"; then
      echo "deploying $stack failed; CloudFormation rolls it back" >&2
      failed_events
      exit 1
    fi
  fi
  echo "ENDPOINT_URL=$(output_of "$stack" EndpointURL)" | tee "build/$stage/endpoint.env"
}

if [ "$step" != execute ]; then create_change_set; fi
# shellcheck disable=SC1090
. "./$state"
case "$step" in
  review) review_change_set ;;
  execute) execute_change_set ;;
  all) execute_change_set ;;
esac
