/**
 * Anonymity, proven against everything a caller or an operator can read: after a round of
 * submissions, every GET endpoint of the API (lists, exports, the audit trail, the change feed,
 * the report) is read with an administrator token and searched for anything that ties an answer
 * to a rater; the log is searched too; and the responses table itself is shown to have nothing
 * that could.
 */
import t from 'tap'
import { sql } from 'kysely'
import { buildApp } from '../../../src/app.js'
import { buildTestApp } from '../../helpers/app.js'
import { FeedbackApi } from './factories.js'

// The app under test logs (at info: every request) into `logLines`; it shares the test database.
const base = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000', RATER_RATE_LIMIT_PER_MINUTE: '1000000' })
const logLines: string[] = []
const logged = await buildApp({
  config: base.config,
  database: base.database,
  logger: { level: 'info', stream: { write: (line: string) => void logLines.push(line) } }
})
await logged.ready()
const api = new FeedbackApi({ ...base, app: logged as typeof base.app })
t.teardown(async () => {
  await logged.close()
  await base.close()
})
const db = base.database.db

const manager = await api.person({ givenName: 'Mona', familyName: 'Manager' })
const subject = await api.person({ givenName: 'Sol', familyName: 'Subject', lineManagerId: manager.id })
const fw = await api.framework()
const cohort = await api.cohort({ status: 'open' })
const a = await api.assessment(subject.id, fw.id, { cohortId: cohort.id })
await api.moveAssessment(a.id, 'open')

interface Rater {
  invitationId: string
  personId: string | null
  marker: string
}
const raters: Rater[] = []
const ratingsOf = (i: number) => ({ B1: (i % 5) + 1, B2: ((i + 2) % 5) + 1, N1: ((i + 1) % 5) + 1, B3: ((i + 3) % 5) + 1, B4: null, N2: 1 })

async function rate(relationship: string, person: { id: string } | null, i: number) {
  const body = person ? { relationship, personId: person.id } : { relationship, externalName: `External ${i}`, externalEmail: `external${i}@partner.example` }
  const inv = await api.invite(a.id, relationship === 'self' ? { relationship } : body)
  const marker = `SECRET-COMMENT-${i}-${relationship}`
  await api.saveDraft(inv.token, api.answers(fw, { B1: 1 }, [{ text: `DRAFT-${marker}` }]))
  await api.respond(inv.token, fw, ratingsOf(i), [{ code: 'B1', text: marker }])
  raters.push({ invitationId: inv.id, personId: inv.personId, marker })
}

await rate('self', null, 0)
await rate('line_manager', manager, 1)
for (let i = 2; i < 6; i++) await rate('peer', await api.person(), i)
for (let i = 6; i < 8; i++) await rate('direct_report', await api.person({ lineManagerId: subject.id }), i)
await rate('other', null, 8)
// One who only drafted, one who declined.
const drafter = await api.invite(a.id, { relationship: 'peer', personId: (await api.person()).id })
await api.saveDraft(drafter.token, api.answers(fw, { B1: 2 }, [{ text: 'UNSUBMITTED-DRAFT-MARKER' }]))
const decliner = await api.invite(a.id, { relationship: 'peer', personId: (await api.person()).id })
await api.decline(decliner.token, 'no time')

const responseIdsBeforeClose = (await db.selectFrom('feedback_responses').select('id').where('assessment_id', '=', a.id).execute()).map((r) => r.id)

t.test('in the database: no column of a response can name a rater, an invitation or a time', async (t) => {
  const columns = (await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'feedback_responses' order by ordinal_position`.execute(db)).rows.map((r) => r.column_name)
  t.same(columns, ['id', 'assessment_id', 'rater_group', 'ratings', 'comments'])
  const references = (
    await sql<{ target: string }>`
      select ccu.table_name as target
      from information_schema.table_constraints tc
      join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name
      where tc.table_name = 'feedback_responses' and tc.constraint_type = 'FOREIGN KEY'`.execute(db)
  ).rows.map((r) => r.target)
  t.same(references, ['feedback_assessments'], 'its only reference is the assessment')
  const idDefault = (await sql<{ column_default: string }>`select column_default from information_schema.columns where table_name = 'feedback_responses' and column_name = 'id'`.execute(db)).rows[0]
  t.match(idDefault.column_default, /gen_random_uuid/, 'ids are random, not sequential')
  t.equal(responseIdsBeforeClose.length, raters.length)

  // Rows written in the submitting transaction would share its transaction id with the
  // invitation's update and the audit record; the response is rewritten right after.
  const responseXmins = new Set((await sql<{ x: string }>`select xmin::text as x from feedback_responses where assessment_id = ${a.id}`.execute(db)).rows.map((r) => r.x))
  const invitationXmins = (await sql<{ x: string }>`select xmin::text as x from feedback_invitations where assessment_id = ${a.id}`.execute(db)).rows.map((r) => r.x)
  const auditXmins = (await sql<{ x: string }>`select xmin::text as x from audit_records where action = 'invitation.submitted'`.execute(db)).rows.map((r) => r.x)
  t.notOk([...invitationXmins, ...auditXmins].some((x) => responseXmins.has(x)), 'no response shares a transaction id with an invitation or an audit record')

  const drafts = await db.selectFrom('feedback_drafts').select('invitation_id').execute()
  t.same(drafts.map((d) => d.invitation_id), [drafter.id], 'only the unsubmitted draft remains')
})

t.test('nothing any GET endpoint answers ties an answer to a rater', async (t) => {
  await api.moveAssessment(a.id, 'closed')
  const responseIds = (await db.selectFrom('feedback_responses').select('id').where('assessment_id', '=', a.id).execute()).map((r) => r.id)
  t.equal(responseIds.length, raters.length, 'closing kept every response')
  t.notOk(responseIds.some((id) => responseIdsBeforeClose.includes(id)), 'and gave them new ids')
  await api.moveAssessment(a.id, 'released')

  const raterIds = [...raters.flatMap((r) => [r.invitationId, r.personId]), drafter.id, decliner.id].filter((id): id is string => id !== null && id !== subject.id)
  const markers = raters.map((r) => r.marker)
  // One id of each kind a path can take: the assessment, people (subject, manager, a peer), an
  // invitation (submitted, and the drafter's), the cohort, the framework.
  const peer = raters.find((r) => r.marker.includes('peer'))!
  const candidates = [a.id, subject.id, manager.id, peer.personId!, peer.invitationId, drafter.id, cohort.id, fw.id]

  const doc = logged.swagger() as { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>> }
  const bodies: Array<{ url: string; body: string }> = []
  for (const [path, operations] of Object.entries(doc.paths)) {
    if (!operations.get || !path.startsWith('/v1/')) continue
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
    const urls = params.length === 0 ? [path] : params.length === 1 ? candidates.map((id) => path.replace(/\{\w+\}/, id)) : []
    for (const url of urls) {
      const res = await api.get(url)
      if (res.statusCode === 200) bodies.push({ url, body: res.body })
    }
  }
  // The whole trail and feed, every page.
  for (const record of await api.all('/v1/audit-records?limit=500')) bodies.push({ url: '/v1/audit-records#record', body: JSON.stringify(record) })
  for (let after = 0; ; ) {
    const page = (await api.get(`/v1/events?after=${after}&limit=500`)).json()
    for (const e of page.data) bodies.push({ url: '/v1/events#event', body: JSON.stringify(e) })
    if (!page.page.nextCursor) break
    after = page.page.lastSequence
  }
  const reports = bodies.filter((b) => b.url === `/v1/assessments/${a.id}/report`)
  t.equal(reports.length, 1, 'the report was read')
  t.ok(markers.every((m) => reports[0].body.includes(m)), 'and it shows the comments')
  t.ok(bodies.length > 60, `${bodies.length} bodies read`)

  for (const { url, body } of bodies) {
    const names = raterIds.filter((id) => body.includes(id))
    const answers = markers.filter((m) => body.includes(m))
    if (names.length && answers.length) t.fail(`${url} names ${names.join(', ')} beside ${answers.join(', ')}`)
    if (names.length && /"ratings"|"comments"/.test(body)) t.fail(`${url} names a rater beside ratings or comments`)
    if (responseIds.some((id) => body.includes(id)) || responseIdsBeforeClose.some((id) => body.includes(id))) t.fail(`${url} shows a response id`)
    if (/DRAFT-SECRET|UNSUBMITTED-DRAFT-MARKER/.test(body)) t.fail(`${url} shows a draft`)
    if (url.startsWith('/v1/audit-records') || url.startsWith('/v1/events')) {
      if (answers.length) t.fail(`${url} holds a comment`)
      if (/"value"\s*:|"ratings"/.test(body)) t.fail(`${url} holds ratings`)
    }
  }
  const report = JSON.parse(reports[0].body)
  t.notOk(raterIds.some((id) => reports[0].body.includes(id)), 'the report names no rater and no invitation')
  t.notMatch(reports[0].body, /Mona|Manager|External \d|partner\.example/, 'nor a rater’s name or email')
  t.same(report.buckets, ['self', 'line_manager', 'peer', 'others'])

  const submittedEvents = bodies.filter((b) => b.url === '/v1/events#event' && b.body.includes('"invitation.submitted"'))
  t.equal(submittedEvents.length, raters.length, 'each submission is on the feed, naming its invitation only')
})

t.test('no log line carries an answer, and rater requests log no invitation', async (t) => {
  const text = logLines.join('')
  t.ok(logLines.length > 50, `${logLines.length} log lines`)
  for (const r of raters) t.notMatch(text, r.marker)
  t.notMatch(text, /DRAFT-SECRET|UNSUBMITTED-DRAFT-MARKER/)
  t.notMatch(text, /pwr_[A-Za-z0-9_-]{43}/, 'no token')
  const raterLines = logLines.filter((l) => l.includes('/v1/questionnaire'))
  t.ok(raterLines.length >= raters.length * 2)
  const responseIds = (await db.selectFrom('feedback_responses').select('id').execute()).map((r) => r.id)
  for (const line of logLines) {
    if (responseIds.some((id) => line.includes(id)) || responseIdsBeforeClose.some((id) => line.includes(id))) t.fail(`a log line shows a response id: ${line}`)
  }
  const rid = logLines.map((l) => JSON.parse(l)).filter((l) => l.req?.url?.startsWith('/v1/questionnaire'))
  t.ok(rid.every((l) => !raters.some((r) => JSON.stringify(l).includes(r.invitationId))), 'questionnaire request lines name no invitation')
})
