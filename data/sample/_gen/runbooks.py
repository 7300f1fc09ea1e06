"""Sample incident runbooks: ``runbooks/service-outage.md`` and ``runbooks/database-failover.md``.

``service-outage.md`` is the persona document's "Incident Response" runbook (Detection, Immediate
Actions, Investigation, Mitigation, Communication) made fuller and generic: the literal ``api`` /
``prod`` became ``<service>`` / ``{namespace}`` placeholders, and it gained the checks an on-call
engineer runs for the sample incident (pod health, rollout history, events, the unit's plan).
``database-failover.md`` is a variant in the other common style: ``*`` bullets, ``1)`` numbering,
fenced commands under their step, ``${SERVICE}`` placeholders, a "Remediation" phase.

The text is fixed (no randomness), so the committed files always equal a fresh generation.
"""

from __future__ import annotations

from pathlib import Path

SERVICE_OUTAGE = r"""# Runbooks: api platform

Built from the devops-engineer runbook ("Incident Response"). Placeholders are filled by
`opslib.IncidentSession` from the incident: `<service>` / `${SERVICE}` is the service, `{namespace}`
its Kubernetes namespace. Each value becomes one argument of the command; nothing runs through a shell.
Scripts (`./scripts/...`) run only from the folder configured as `scripts_dir`.

## Incident Runbook: Service Outage

### Detection
- Alert: Response time > 1s for 5 minutes (p95 of `<service>` behind the load balancer)
- Alert: 5xx rate > 2% for 5 minutes
- Dashboard: https://grafana/dashboard/api
- Confirm the alert is real: `curl -sS -o /dev/null -w "%{http_code} %{time_total}s" https://<service>.internal/healthz`

### Immediate Actions
1. Acknowledge the page and open the incident channel; name an incident commander.
2. Check current traffic: `kubectl top pods -n {namespace}`
3. Check pod health: `kubectl get pods -n {namespace} -l app=<service> -o wide`
4. Check recent deployments: `kubectl rollout history deployment/<service> -n {namespace}`
5. Enable circuit breaker: `./scripts/enable-circuit-breaker.sh <service>`

### Investigation
1. Check logs: `stern -n {namespace} -l app=<service> --since 10m`
2. Check recent events in the namespace:
   ```bash
   kubectl get events -n {namespace} --sort-by=.lastTimestamp
   kubectl describe deployment/<service> -n {namespace}
   ```
3. Check metrics: Dashboard link (latency, saturation, error rate per pod)
4. Check dependencies: Health endpoint `curl -sS https://<service>.internal/healthz/dependencies`
5. Check infrastructure changes of the service's unit:
   `terragrunt plan --working-dir infrastructure-live/prod/us-east-1/prod/ecs-<service> -detailed-exitcode`

### Mitigation
- Scale up: `kubectl scale deployment/<service> --replicas=10 -n {namespace}`
- Rollback: `kubectl rollout undo deployment/<service> -n {namespace}`
- Watch the rollout: `kubectl rollout status deployment/<service> -n {namespace} --timeout=5m`
- Failover: `./scripts/failover-to-secondary.sh <service>`

### Communication
- Status page update (investigating → identified → monitoring → resolved)
- Slack #incidents channel: post the impact, the commander and the next update time
- Executive brief if > 30 min
- Schedule the postmortem review within 5 working days
"""

DATABASE_FAILOVER = r"""## Incident Runbook: Database failover

A variant written the other common way: `*` bullets, `1)` numbering, commands in fenced blocks under
their step, `${SERVICE}`-style placeholders and a phase called "Remediation".

### Detection
* Alert: `${SERVICE}` database connections refused for 2 minutes
* Alert: RDS replica lag > 30 s

### Immediate Actions
1) Confirm the primary is down:
   ```bash
   aws rds describe-db-instances --db-instance-identifier ${SERVICE}-primary
   ```
2) Freeze deployments to `{namespace}` (announce in #deploys)
3) Put the service in read-only mode: `./scripts/enable-read-only.sh ${SERVICE}`

### Investigation
1) Recent RDS events:
   ```bash
   # last hour of events for the instance
   aws rds describe-events --source-type db-instance \
     --source-identifier ${SERVICE}-primary --duration 60
   ```
2) Connection errors in the app: `stern -n {namespace} -l app=${SERVICE} --since 15m`

### Remediation
1) Fail over to the replica: `aws rds failover-db-cluster --db-cluster-identifier ${SERVICE}-cluster`
2) Restart the pods so they pick up the new endpoint: `kubectl rollout restart deployment/${SERVICE} -n {namespace}`
3) Leave read-only mode: `./scripts/disable-read-only.sh ${SERVICE}`

### Communication
* Status page: degraded → resolved
* Slack #incidents: failover done, replica rebuilding
"""

RUNBOOKS = {"service-outage.md": SERVICE_OUTAGE, "database-failover.md": DATABASE_FAILOVER}


def generate(out_dir: Path) -> None:
    """Write ``runbooks/*.md`` under ``out_dir``."""
    folder = Path(out_dir) / "runbooks"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in RUNBOOKS.items():
        (folder / name).write_bytes(text.encode("utf-8"))
