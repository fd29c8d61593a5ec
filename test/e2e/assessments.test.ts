/**
 * Frameworks and psychometrics end to end through the client generated from the committed
 * contract: an administrator imports a values framework from CSV, publishes it, starts the next
 * version and publishes that too; an instrument is set up and results imported in bulk; the
 * person reads their own result, their assessor theirs, and a colleague learns nothing.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { sdkFor } from '../helpers/sdk.js'

const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' })
t.teardown(() => ctx.close())
const { clientWith } = await sdkFor(ctx)
const admin = clientWith(ctx.token(['admin'], { sub: 'e2e-admin' }))
const actingFor = (personId: string) => clientWith(ctx.token(['programmes:nominate'], { sub: `e2e-person-${personId.slice(0, 8)}`, personId }))
const csvBody = { bodySerializer: (body: unknown) => body as string, headers: { 'content-type': 'text/csv' } }

const FRAMEWORK_CSV = [
  'record,code,parentCode,kind,title,description,polarity,versionNumber',
  'framework,E2E-VALUES,,values,MPS values and behaviours,,,',
  'element,V2,,value,We will build trust by listening and responding.,"Be accessible and approachable.",positive,',
  'element,V2-W1,V2,behaviour,encourage constructive feedback,,positive,',
  'element,V2-N1,V2,behaviour,see time spent building relationships with others as pointless,,negative,'
].join('\n')

t.test('a framework from CSV to two published versions', async (t) => {
  const imported = await admin.POST('/v1/frameworks/import', { body: FRAMEWORK_CSV as never, ...csvBody })
  t.equal(imported.response.status, 201)
  const v1 = imported.data!
  t.match(v1, { code: 'E2E-VALUES', versionNumber: 1, status: 'draft', elementCount: 3 })
  const published = await admin.POST('/v1/frameworks/{id}/transitions', { params: { path: { id: v1.id } }, body: { to: 'published' } })
  t.equal(published.data?.status, 'published')
  const copy = await admin.POST('/v1/frameworks/{id}/versions', { params: { path: { id: v1.id } }, body: { name: 'MPS values and behaviours (revised)' } })
  t.equal(copy.response.status, 201)
  const v2 = copy.data!
  const tree = await admin.GET('/v1/frameworks/{id}/tree', { params: { path: { id: v2.id } } })
  const value = tree.data!.elements[0]
  const added = await admin.POST('/v1/frameworks/{id}/elements', {
    params: { path: { id: v2.id } },
    body: { code: 'V2-W2', kind: 'behaviour', title: 'communicate (face-to-face where possible)', parentId: value.id, position: 1 }
  })
  t.equal(added.response.status, 201)
  await admin.POST('/v1/frameworks/{id}/transitions', { params: { path: { id: v2.id } }, body: { to: 'published' } })
  const latest = await admin.GET('/v1/frameworks', { params: { query: { code: 'E2E-VALUES', latestPublished: true } } })
  t.same(latest.data!.data.map((f) => f.versionNumber), [2])
  const exported = await admin.GET('/v1/frameworks/{id}/export', { params: { path: { id: v2.id }, query: { format: 'json' } } })
  const doc = exported.data as { elements: Array<{ children: Array<{ code: string }> }> }
  t.same(doc.elements[0].children.map((c) => c.code), ['V2-W1', 'V2-W2', 'V2-N1'])
  const frozen = await admin.PATCH('/v1/framework-elements/{id}', { params: { path: { id: value.id } }, body: { title: 'changed' } })
  t.equal(frozen.response.status, 409)
  t.equal(frozen.error?.type, '/problems/framework-frozen')
})

t.test('results imported in bulk are read by the person and their assessor only', async (t) => {
  const person = (await admin.POST('/v1/people', { body: { externalId: 'P-E2E-A', givenName: 'Amina', familyName: 'Okafor', staffType: 'staff' } })).data!
  const psychologist = (await admin.POST('/v1/people', { body: { externalId: 'P-E2E-PSY', givenName: 'Priya', familyName: 'Shah', staffType: 'staff' } })).data!
  const colleague = (await admin.POST('/v1/people', { body: { externalId: 'P-E2E-C', givenName: 'Tom', familyName: 'Hughes', staffType: 'staff' } })).data!
  const instrument = await admin.POST('/v1/instruments', {
    body: { code: 'E2E-QUINTAX', name: 'Quintax personality measure', kind: 'personality', scales: [{ code: 'EXT', name: 'Extraversion', scoreKind: 'sten' }, { code: 'AGR', name: 'Agreeableness', scoreKind: 'sten' }] }
  })
  t.equal(instrument.response.status, 201)
  const file = 'externalId,instrumentCode,personExternalId,assessorExternalId,takenOn,normGroup,providerReference,scores\nPR-E2E-1,E2E-QUINTAX,P-E2E-A,P-E2E-PSY,2006-05-02,UK managers,DBM-1,EXT=7|AGR=4\n'
  const imported = await admin.POST('/v1/psychometric-results/import', { body: file as never, ...csvBody })
  t.same((imported.data as { counts: unknown }).counts, { read: 1, created: 1, updated: 0, unchanged: 0, failed: 0 })

  const own = await actingFor(person.id).GET('/v1/people/{id}/psychometric-results', { params: { path: { id: person.id } } })
  t.equal(own.response.status, 200)
  const result = own.data!.data[0]
  t.same(result.scores, { EXT: 7, AGR: 4 })
  const byAssessor = await actingFor(psychologist.id).GET('/v1/psychometric-results/{id}', { params: { path: { id: result.id } } })
  t.equal(byAssessor.data?.assessorId, psychologist.id)
  const byColleague = await actingFor(colleague.id).GET('/v1/psychometric-results/{id}', { params: { path: { id: result.id } } })
  t.equal(byColleague.response.status, 404)
  const listByColleague = await actingFor(colleague.id).GET('/v1/people/{id}/psychometric-results', { params: { path: { id: person.id } } })
  t.equal(listByColleague.response.status, 404)
})
