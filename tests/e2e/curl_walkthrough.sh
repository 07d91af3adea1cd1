#!/usr/bin/env bash
# The issue's walkthrough with curl against a running Kuaibao: deploy a Camunda-modelled diagram,
# start it with a business key and typed variables, find the task in the changchun-hrss queue, claim
# it, complete it (JUEL gateway + script task follow) and see the instance end.
# Usage: tests/e2e/curl_walkthrough.sh [BASE_URL]   (default http://127.0.0.1:8080/engine-rest)
set -euo pipefail
B="${1:-http://127.0.0.1:8080/engine-rest}"
HERE="$(cd "$(dirname "$0")" && pwd)"
DIAGRAM="$HERE/../fixtures/bpmn/review/claim_review.bpmn"
ADMIN=(-sS -u demo:demo)
WORKER=(-sS -u changchun.hrss:demo)
JSON=(-H 'Content-Type: application/json')
KEY="CLAIM-$RANDOM$RANDOM"
step() { printf '\n== %s\n' "$*" >&2; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

step "deploy"
curl "${ADMIN[@]}" -F deployment-name=walkthrough -F enable-duplicate-filtering=true \
     -F "data=@$DIAGRAM" "$B/deployment/create" | jq -c '{id, name, definitions: (.deployedProcessDefinitions // {} | keys)}'

step "start claim_review with business key $KEY"
START=$(curl "${ADMIN[@]}" "${JSON[@]}" "$B/process-definition/key/claim_review/start" -d "{
  \"businessKey\": \"$KEY\",
  \"variables\": {\"region\": {\"value\": \"changchun\", \"type\": \"String\"},
                  \"amount\": {\"value\": 5000, \"type\": \"Long\"}}}")
echo "$START" | jq -c '{id, businessKey, ended}'
PI=$(echo "$START" | jq -r .id)
[ "$(echo "$START" | jq -r .ended)" = "false" ] || fail "instance ended before its user task"

step "the changchun-hrss queue"
QUEUE=$(curl "${WORKER[@]}" "$B/task?candidateGroup=changchun-hrss&processInstanceBusinessKey=$KEY")
echo "$QUEUE" | jq -c '.[] | {id, name, taskDefinitionKey, due, priority}'
TASK=$(echo "$QUEUE" | jq -r '.[0].id')
[ "$TASK" != "null" ] || fail "no task in the changchun-hrss queue"

step "claim"
[ "$(curl "${WORKER[@]}" -o /dev/null -w '%{http_code}' "${JSON[@]}" "$B/task/$TASK/claim" \
     -d '{"userId": "changchun.hrss"}')" = 204 ] || fail "claim was not 204"
echo "claimed by changchun.hrss"
echo "a second claim answers: $(curl "${ADMIN[@]}" "${JSON[@]}" "$B/task/$TASK/claim" -d '{"userId": "demo"}' | jq -c .)"

step "complete with approved=true"
DONE=$(curl "${WORKER[@]}" "${JSON[@]}" "$B/task/$TASK/complete" \
       -d '{"variables": {"approved": {"value": true, "type": "Boolean"}}, "withVariablesInReturn": true}')
echo "$DONE" | jq -c '{approved: .approved.value, benefit: .benefit.value, status: .status.value}'
[ "$(echo "$DONE" | jq -r .status.value)" = "approved" ] || fail "the script task did not run"

step "the instance has ended"
[ "$(curl "${ADMIN[@]}" -o /dev/null -w '%{http_code}' "$B/process-instance/$PI")" = 404 ] \
  || fail "instance still running"
curl "${ADMIN[@]}" "$B/history/process-instance/$PI" | jq -c '{id, businessKey, state, startTime, endTime}'
[ "$(curl "${ADMIN[@]}" "$B/history/process-instance/$PI" | jq -r .state)" = COMPLETED ] || fail "not COMPLETED"
echo "OK" >&2
