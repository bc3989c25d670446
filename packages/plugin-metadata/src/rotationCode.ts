/**
 * The source of the inline Lambda function (Node.js, CommonJS `index.js`) that rotates the metadata
 * database's master password. Plain JavaScript text because CloudFormation takes inline code as
 * text; `test/rotation.test.ts` runs exactly this text against fake Secrets Manager, RDS and ECS
 * clients.
 *
 * Secrets Manager calls it four times per rotation (`Step`), each retried until it succeeds:
 * - createSecret: a new random password (letters and digits, like the first one) stored as the
 *   AWSPENDING version of the secret; the other keys (username, host, port...) are kept.
 * - setSecret: RDS sets the master password to it (`ModifyDBInstance MasterUserPassword`, applied
 *   immediately, no reboot). The function needs no database connection and no VPC: it only calls
 *   AWS APIs, so it needs no PostgreSQL driver and no route to the database.
 * - testSecret: RDS reports the new password applied: the instance is `available`, no master
 *   password change is pending, and RDS logged "Reset master credentials" since the pending version
 *   was made. (It does not log in: there is no PostgreSQL client in the Lambda runtime.)
 * - finishSecret: AWSCURRENT moves to the new version, then every ECS service in the metadata
 *   cluster whose task definition reads this secret gets a new deployment, so its tasks start with
 *   the new password (ECS injects secrets only when a task starts). Already-open connections of the
 *   old tasks keep working until the rolling deployment replaces them.
 *
 * Env: `DB_INSTANCE`, `CLUSTER`, `WAIT_SECONDS` (how long testSecret waits in one call), `POLL_MS`.
 */
export const ROTATION_CODE = `const S = require('@aws-sdk/client-secrets-manager');
const R = require('@aws-sdk/client-rds');
const E = require('@aws-sdk/client-ecs');
const env = process.env;
const DB = env.DB_INSTANCE;
const C = env.CLUSTER;
const sm = new S.SecretsManagerClient({});
const rds = new R.RDSClient({});
const ecs = new E.ECSClient({});
const get = (o) => sm.send(new S.GetSecretValueCommand(o));
const pending = (id, token) => get({ SecretId: id, VersionId: token, VersionStage: 'AWSPENDING' });
async function createSecret(id, token) {
  try { await pending(id, token); return 'exists'; } catch (e) { if (e?.name !== 'ResourceNotFoundException') throw e; }
  const v = JSON.parse((await get({ SecretId: id, VersionStage: 'AWSCURRENT' })).SecretString);
  v.password = (await sm.send(new S.GetRandomPasswordCommand({ PasswordLength: 32, ExcludePunctuation: true, RequireEachIncludedType: true }))).RandomPassword;
  await sm.send(new S.PutSecretValueCommand({ SecretId: id, ClientRequestToken: token, SecretString: JSON.stringify(v), VersionStages: ['AWSPENDING'] }));
  return 'created';
}
async function setSecret(id, token) {
  const v = JSON.parse((await pending(id, token)).SecretString);
  await rds.send(new R.ModifyDBInstanceCommand({ DBInstanceIdentifier: DB, MasterUserPassword: v.password, ApplyImmediately: true }));
  return 'requested';
}
async function testSecret(id, token) {
  const since = new Date((await pending(id, token)).CreatedDate);
  const end = Date.now() + env.WAIT_SECONDS * 1000;
  for (;;) {
    const db = (await rds.send(new R.DescribeDBInstancesCommand({ DBInstanceIdentifier: DB }))).DBInstances[0];
    if (db.DBInstanceStatus === 'available' && !db.PendingModifiedValues?.MasterUserPassword) {
      const ev = await rds.send(new R.DescribeEventsCommand({ SourceIdentifier: DB, SourceType: 'db-instance', StartTime: since }));
      if (/reset master credentials/i.test(JSON.stringify(ev.Events))) return 'applied';
    }
    if (Date.now() > end) throw new Error('new password not applied yet: ' + DB + ' is ' + db.DBInstanceStatus);
    await new Promise((r) => setTimeout(r, Number(env.POLL_MS || 10000)));
  }
}
async function finishSecret(id, token, meta) {
  const st = meta.VersionIdsToStages;
  const current = Object.keys(st).find((v) => st[v].includes('AWSCURRENT'));
  if (current !== token) await sm.send(new S.UpdateSecretVersionStageCommand({ SecretId: id, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }));
  const arns = (await ecs.send(new E.ListServicesCommand({ cluster: C, maxResults: 100 }))).serviceArns || [];
  const done = [];
  for (let i = 0; i < arns.length; i += 10) {
    const { services } = await ecs.send(new E.DescribeServicesCommand({ cluster: C, services: arns.slice(i, i + 10) }));
    for (const s of services) {
      const td = (await ecs.send(new E.DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition }))).taskDefinition;
      if (!td.containerDefinitions.some((c) => c.secrets?.some((x) => String(x.valueFrom).startsWith(meta.ARN)))) continue;
      await ecs.send(new E.UpdateServiceCommand({ cluster: C, service: s.serviceArn, forceNewDeployment: true }));
      done.push(s.serviceName);
    }
  }
  return 'redeployed ' + done.join(', ');
}
const STEPS = { createSecret, setSecret, testSecret, finishSecret };
exports.handler = async (event) => {
  const { SecretId: id, ClientRequestToken: token, Step: name } = event;
  if (!STEPS[name]) throw new Error('unknown step ' + name);
  const meta = await sm.send(new S.DescribeSecretCommand({ SecretId: id }));
  const stages = meta.VersionIdsToStages?.[token];
  if (meta.RotationEnabled === false || !stages) throw new Error('not rotating ' + token);
  if (name !== 'finishSecret') {
    if (stages.includes('AWSCURRENT')) return { step: name, result: 'already current' };
    if (!stages.includes('AWSPENDING')) throw new Error('not pending ' + token);
  }
  const result = await STEPS[name](id, token, meta);
  console.log(name, result);
  return { step: name, result };
};
`;
