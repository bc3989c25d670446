/**
 * The source of the two inline Lambda functions (Node.js, CommonJS `index.js`) that upgrade the
 * database schema when the service image changes. They are plain JavaScript text here because
 * CloudFormation takes inline code as text; `test/migration.test.ts` runs exactly this text against
 * a fake migration service, fake AWS clients and a fake CloudFormation response URL.
 *
 * - The probe runs inside the VPC, in its own security group (the only source the load balancer
 *   admits on 8082), and only speaks HTTP to the migration service: GET /db_schema_status,
 *   PATCH /upgrade. It answers `{ status, body }`.
 * - The runner is the custom resource handler (outside the VPC, so it can reach the AWS APIs and
 *   CloudFormation's response URL): it asks the probe for the schema status, backs up (a manual RDS
 *   snapshot, or a check that automated backups are on), upgrades, asks again, restarts the service
 *   tasks so they serve the new schema, and answers CloudFormation. Any failure answers FAILED with
 *   the migration service's own answer, so the deployment stops and rolls back visibly.
 */

/** The in-VPC function: `event.action` is `status` or `upgrade`; env `MIGRATION_URL`. */
export const PROBE_CODE = `'use strict';
exports.handler = async (event) => {
  const base = process.env.MIGRATION_URL;
  const upgrade = event && event.action === 'upgrade';
  const res = await fetch(base + (upgrade ? '/upgrade' : '/db_schema_status'), {
    method: upgrade ? 'PATCH' : 'GET',
    signal: AbortSignal.timeout(upgrade ? 840000 : 30000),
  });
  return { status: res.status, body: (await res.text()).slice(0, 2000) };
};
`;

/**
 * The custom resource handler. Env: `PROBE_FUNCTION`, `DB_INSTANCE`, `BACKUP` (`snapshot` or
 * `automated-backups`), `CLUSTER`, `SERVICE`, `SNAPSHOT_WAIT_SECONDS`.
 */
export const RUNNER_CODE = `const L = require('@aws-sdk/client-lambda');
const R = require('@aws-sdk/client-rds');
const E = require('@aws-sdk/client-ecs');
const env = process.env;

async function probe(action) {
  const out = await new L.LambdaClient({}).send(new L.InvokeCommand({ FunctionName: env.PROBE_FUNCTION, Payload: JSON.stringify({ action }) }));
  const text = Buffer.from(out.Payload || []).toString();
  if (out.FunctionError) throw new Error('the probe failed: ' + text.slice(0, 500));
  return JSON.parse(text);
}

async function schemaStatus(when) {
  const r = await probe('status');
  let body;
  try { body = JSON.parse(r.body); } catch (e) {}
  if (r.status !== 200 || !body) throw new Error('db_schema_status ' + when + ' answered HTTP ' + r.status + ': ' + r.body);
  return body;
}

async function backup(now) {
  const rds = new R.RDSClient({});
  if (env.BACKUP === 'automated-backups') {
    const db = (await rds.send(new R.DescribeDBInstancesCommand({ DBInstanceIdentifier: env.DB_INSTANCE }))).DBInstances[0];
    if (!(db.BackupRetentionPeriod > 0) || !db.LatestRestorableTime) {
      throw new Error('automated backups of ' + env.DB_INSTANCE + ' are off or not restorable yet; not upgrading');
    }
    return 'automated backups to ' + new Date(db.LatestRestorableTime).toISOString();
  }
  const id = env.DB_INSTANCE + '-pre-migration-' + now.toISOString().replace(/[^0-9]/g, '').slice(0, 14);
  await rds.send(new R.CreateDBSnapshotCommand({ DBInstanceIdentifier: env.DB_INSTANCE, DBSnapshotIdentifier: id }));
  const deadline = Date.now() + Number(env.SNAPSHOT_WAIT_SECONDS) * 1000;
  for (;;) {
    const s = (await rds.send(new R.DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }))).DBSnapshots[0];
    if (s.Status === 'available') return 'snapshot ' + id;
    if (s.Status === 'failed' || s.Status === 'deleted') throw new Error('snapshot ' + id + ' ' + s.Status + '; not upgrading');
    if (Date.now() > deadline) throw new Error('snapshot ' + id + ' still ' + s.Status + ' after the wait; not upgrading');
    await new Promise((r) => setTimeout(r, Number(env.POLL_MS || 15000)));
  }
}

async function migrate() {
  const before = await schemaStatus('before upgrading');
  const from = String(before.current_version);
  if (before.is_up_to_date) return { Before: from, After: from, Upgraded: 'false', Backup: 'none needed' };
  if (before.migration_in_progress) throw new Error('a migration is already in progress (schema ' + from + ')');
  const saved = await backup(new Date());
  const up = await probe('upgrade');
  if (up.status !== 200) throw new Error('upgrade from schema ' + from + ' failed: HTTP ' + up.status + ': ' + up.body + ' (backup: ' + saved + ')');
  const after = await schemaStatus('after upgrading');
  if (!after.is_up_to_date) {
    throw new Error('schema is ' + after.current_version + ' after the upgrade, missing ' + JSON.stringify(after.unapplied_migrations) + ' (backup: ' + saved + ')');
  }
  await new E.ECSClient({}).send(new E.UpdateServiceCommand({ cluster: env.CLUSTER, service: env.SERVICE, forceNewDeployment: true }));
  return { Before: from, After: String(after.current_version), Upgraded: 'true', Backup: saved };
}

async function respond(event, status, reason, data) {
  const body = JSON.stringify({
    Status: status, Reason: reason.slice(0, 2000), PhysicalResourceId: 'metadata-schema', StackId: event.StackId,
    RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: data,
  });
  const res = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!res.ok) throw new Error('response URL answered HTTP ' + res.status);
}

exports.handler = async (event) => {
  if (event.RequestType === 'Delete') return respond(event, 'SUCCESS', 'deleted', {});
  let data;
  try { data = await migrate(); } catch (e) {
    console.log(e);
    return respond(event, 'FAILED', 'metadata database migration: ' + ((e && e.message) || e), {});
  }
  return respond(event, 'SUCCESS', 'schema ' + data.Before + ' -> ' + data.After + ' (' + data.Backup + ')', data);
};
`;
