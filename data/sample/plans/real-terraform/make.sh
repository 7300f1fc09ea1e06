#!/usr/bin/env bash
# Regenerate tfplan.json (and the plan -json log used by the tests) with a real terraform binary.
# Only built-in terraform_data resources: no provider download, no network, nothing real touched.
#   1. apply main.tf as written in a scratch folder;
#   2. change the database's instance_class in the state file, as a console edit outside Terraform
#      would (terraform_data cannot observe the real world, so the state is what we tamper with);
#   3. plan with a new app_version (a replace) and legacy_enabled=false (a delete);
#   4. save `terraform show -json` of that plan here, and the `plan -json` stream for the tests.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null
cp "$here/main.tf" "$work/"
cd "$work"
terraform init -input=false -no-color >/dev/null
terraform apply -auto-approve -input=false -no-color >/dev/null
python3 - <<'PY'
import json
state = json.load(open("terraform.tfstate"))
for res in state["resources"]:
    if res["name"] == "database":
        attrs = res["instances"][0]["attributes"]
        attrs["input"]["value"]["instance_class"] = "db.r6g.large"
        attrs["output"]["value"]["instance_class"] = "db.r6g.large"
state["serial"] += 1
json.dump(state, open("terraform.tfstate", "w"), indent=2)
PY
set +e
terraform plan -detailed-exitcode -input=false -no-color -out=tfplan \
  -var app_version=v1.5.0 -var legacy_enabled=false >/dev/null
code=$?
set -e
if [ "$code" -ne 2 ]; then echo "expected exit code 2 from plan, got $code" >&2; exit 1; fi
terraform show -json tfplan | python3 -m json.tool --indent 2 > "$here/tfplan.json"
set +e
terraform plan -json -detailed-exitcode -input=false -var app_version=v1.5.0 -var legacy_enabled=false \
  > "$repo/tests/fixtures/plans/real-plan-log.jsonl"
set -e
echo "wrote $here/tfplan.json and tests/fixtures/plans/real-plan-log.jsonl"
