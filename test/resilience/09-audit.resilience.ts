import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadContract, operations } from './lib/contract.js'
import { report, type LoggedMutation } from './lib/http.js'
import { startServer } from './lib/server.js'
import { withClient } from './lib/cluster.js'

/**
 * Audit completeness, after every other file ran: each mutating request the suite sent carries
 * its own X-Request-Id, which the API writes into the audit records of the changes it made. So,
 * for the requests logged in requests.ndjson:
 * - a 2xx change (not an Idempotency-Key replay, not a dry run, not token issuance) has audit
 *   records, and no change is recorded twice (request, entity, action is unique);
 * - a create or update that answered with the resource's id has exactly one record about it;
 * - a refused request (4xx, 5xx) has none;
 * - no audit record names a request id of the suite that the suite did not log.
 * Then: no audit record can be changed or deleted through the API's own database role.
 */
process.env.RESILIENCE_FILE = 'audit'
const out = process.env.RESILIENCE_OUT!
const adminUrl = process.env.RESILIENCE_ADMIN_URL!
const appUrl = process.env.RESILIENCE_DATABASE_URL!
const figures: Record<string, unknown> = {}

/** Writes that are not changes of a resource: they have no audit record by design. */
const NOT_CHANGES: Array<[string, RegExp, string]> = [
  ['POST', /^\/v1\/auth\/token/, 'token issuance changes no record'],
  ['POST', /[?&]dryRun=true/, 'a dry run writes nothing']
]

interface AuditRow {
  request_id: string
  action: string
  entity_type: string
  entity_id: string
}

t.test('every change the suite made has exactly one audit record; nothing else has one', async (t) => {
  const file = join(out, 'requests.ndjson')
  if (!existsSync(file)) {
    t.fail('no requests were logged: run the whole suite (npm run test:resilience)')
    return
  }
  const logged = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as LoggedMutation)
  const byId = new Map(logged.map((l) => [l.id, l]))
  const rows = await withClient(adminUrl, async (c) => (await c.query<AuditRow>(`select request_id, action, entity_type, entity_id from audit_records where request_id is not null`)).rows)
  const records = new Map<string, AuditRow[]>()
  for (const r of rows) records.set(r.request_id, [...(records.get(r.request_id) ?? []), r])

  const missing: string[] = []
  const duplicated: string[] = []
  const notExactlyOne: string[] = []
  const refusedButAudited: string[] = []
  const exempt: Record<string, number> = {}
  let changes = 0
  let refused = 0
  let unknown = 0
  let jobs = 0
  let replays = 0
  let noChange = 0
  for (const req of logged) {
    const audit = records.get(req.id) ?? []
    if (req.status === null) {
      unknown++
      continue
    }
    if (req.status >= 300) {
      refused++
      if (audit.length) refusedButAudited.push(`${req.method} ${req.path} → ${req.status} has ${audit.length} audit records`)
      continue
    }
    const reason = NOT_CHANGES.find(([m, p]) => m === req.method && p.test(req.path))?.[2]
    if (reason) {
      exempt[reason] = (exempt[reason] ?? 0) + 1
      if (audit.length) refusedButAudited.push(`${req.method} ${req.path}: ${reason}, yet ${audit.length} audit records`)
      continue
    }
    if (req.replayed) {
      replays++
      if (audit.length) duplicated.push(`${req.method} ${req.path}: an Idempotency-Key replay wrote ${audit.length} audit records`)
      continue
    }
    if (req.status === 202) {
      // An import job: its rows are audited under this request id when it succeeds (the killed one wrote nothing).
      jobs++
      continue
    }
    if (req.declaredChanges === 0 || (req.nothingReported && audit.length === 0)) {
      // The answer says nothing was written (an import of unchanged or refused rows, a sweep that found nothing, a PATCH that changed nothing).
      noChange++
      if (audit.length) refusedButAudited.push(`${req.method} ${req.path}: reported no change, yet ${audit.length} audit records`)
      continue
    }
    changes++
    if (audit.length === 0) {
      missing.push(`${req.method} ${req.path} → ${req.status} (${req.file}) has no audit record`)
      continue
    }
    if (req.declaredChanges !== undefined && audit.length < req.declaredChanges) {
      missing.push(`${req.method} ${req.path}: ${req.declaredChanges} rows written, ${audit.length} audit records`)
    }
    const seen = new Set<string>()
    for (const a of audit) {
      const key = `${a.entity_type}/${a.entity_id}/${a.action}`
      if (seen.has(key)) duplicated.push(`${req.method} ${req.path}: ${key} recorded twice`)
      seen.add(key)
    }
    if (req.resourceId && ['POST', 'PATCH', 'PUT'].includes(req.method)) {
      const about = audit.filter((a) => a.entity_id === req.resourceId)
      // A transition may record the same entity's move and a side effect on another; about the resource itself, one.
      if (about.length !== 1 && !(req.method === 'POST' && about.length === 0 && /\/(import|transitions)/.test(req.path))) {
        notExactlyOne.push(`${req.method} ${req.path} → ${req.status}: ${about.length} records about ${req.resourceId} (${audit.map((a) => a.action).join(', ')})`)
      }
    }
  }
  const suiteIds = [...records.keys()].filter((id) => id.startsWith('rs-'))
  const unlogged = suiteIds.filter((id) => !byId.has(id))

  t.same(missing.slice(0, 20), [], `every change has an audit record (${changes} changes)`)
  t.same(duplicated.slice(0, 20), [], 'no change is recorded twice, and replays record nothing')
  t.same(notExactlyOne.slice(0, 20), [], 'a create or update has exactly one record about its resource')
  t.same(refusedButAudited.slice(0, 20), [], `refused requests recorded nothing (${refused} refused)`)
  t.same(unlogged.slice(0, 20), [], 'every audit record of the suite belongs to a request the suite logged')
  figures['audit completeness'] = {
    'mutating requests logged': logged.length,
    'changes (2xx) checked': changes,
    'audit records of the suite': rows.filter((r) => r.request_id.startsWith('rs-')).length,
    'refused (4xx/5xx), no record': refused,
    'Idempotency-Key replays, no record': replays,
    'import jobs (202)': jobs,
    'answered “nothing changed”, no record': noChange,
    'no answer (connection cut, kill -9), not counted': unknown,
    exempt,
    'missing / duplicated / wrong count / unlogged': `${missing.length} / ${duplicated.length} / ${notExactlyOne.length} / ${unlogged.length}`
  }
})

t.test('audit records cannot be changed or deleted, even with SQL through the API’s own role', async (t) => {
  const attempts: Array<[string, string]> = [
    ['update', `update audit_records set actor = 'someone-else' where id = (select min(id) from audit_records)`],
    ['delete one', `delete from audit_records where id = (select min(id) from audit_records)`],
    ['delete all', `delete from audit_records`],
    ['truncate', `truncate audit_records`],
    ['disable the trigger', `alter table audit_records disable trigger audit_records_no_update_delete`],
    ['drop the trigger', `drop trigger audit_records_no_update_delete on audit_records`],
    ['drop the table', `drop table audit_records`],
    ['take ownership', `alter table audit_records owner to current_user`],
    ['session replication role (skips triggers)', `set session_replication_role = replica`]
  ]
  const results = await withClient(appUrl, async (c) => {
    const role = (await c.query(`select current_user as name, rolsuper, rolcreaterole, rolbypassrls from pg_roles where rolname = current_user`)).rows[0]
    const before = (await c.query(`select count(*)::int as n, md5(string_agg(id::text || actor || action || entity_id, ',' order by id)) as digest from audit_records`)).rows[0]
    const refusals: Array<[string, string]> = []
    for (const [name, statement] of attempts) {
      try {
        await c.query(statement)
        refusals.push([name, 'ALLOWED'])
      } catch (error) {
        refusals.push([name, (error as { code?: string }).code ?? 'error'])
      }
    }
    // GRANT on a table the role does not own only warns; what matters is that nothing was granted.
    await c.query(`grant update, delete, truncate on audit_records to current_user`).catch(() => undefined)
    const granted = (await c.query(`select has_table_privilege('audit_records', 'UPDATE') or has_table_privilege('audit_records', 'DELETE') or has_table_privilege('audit_records', 'TRUNCATE') as any`)).rows[0].any
    refusals.push(['grant itself update, delete or truncate', granted ? 'ALLOWED' : 'no privilege granted'])
    const inserted = await c.query(`insert into audit_records (actor, action, entity_type, entity_id) values ('resilience', 'test.appended', 'test', 'x') returning id`)
    const after = (await c.query(`select count(*)::int as n, md5(string_agg(id::text || actor || action || entity_id, ',' order by id) filter (where action <> 'test.appended')) as digest from audit_records`)).rows[0]
    return { role, before, after, refusals, appended: inserted.rowCount }
  })
  t.equal(results.role.rolsuper, false, `the API connects as ${results.role.name}, not a superuser`)
  for (const [name, code] of results.refusals) t.not(code, 'ALLOWED', `${name}: refused (${code})`)
  t.equal(results.after.digest, results.before.digest, 'every existing record is unchanged')
  t.equal(results.after.n, results.before.n + 1, 'appending still works')
  // Nothing in the contract changes or deletes audit records.
  const writers = operations(loadContract()).filter((o) => o.path.startsWith('/v1/audit-records') && o.method !== 'GET')
  t.same(writers.map((o) => o.operationId), [], 'the API has no operation that writes audit records')
  figures['audit immutability'] = {
    role: `${results.role.name} (superuser: ${results.role.rolsuper})`,
    refusals: Object.fromEntries(results.refusals),
    'records before / after': `${results.before.n} / ${results.after.n - 1} (+1 appended)`
  }
})

t.test('a server connected as a superuser warns that the audit trail is not protected', async (t) => {
  const server = await startServer({ DATABASE_URL: adminUrl, LOG_LEVEL: 'warn' })
  await server.stop()
  t.match(server.output(), /superuser|owns the audit/i, 'the warning is logged at start')
})

t.test('report', async () => {
  report('9 audit', figures)
})
