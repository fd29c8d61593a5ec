/**
 * A PATCH that changes nothing (an empty body, or every value as it already is) is not a change:
 * 200 with the same version and ETag, and no audit record or event. One rule for people, org
 * units and grades (src/platform/patches.ts); a real change still moves all three.
 */
import t from 'tap'
import { expectNothingChanged } from '../../helpers/patches.js'
import { buildPeopleApp } from './factories.js'

const api = await buildPeopleApp()
t.teardown(() => api.close())

t.test('person: an empty PATCH and one with the values as they are change nothing', async (t) => {
  const manager = await api.person()
  const unit = await api.orgUnit()
  const grade = await api.grade()
  const person = await api.person({ email: `same-${Date.now()}@example.test`, lineManagerId: manager.id, orgUnitId: unit.id, gradeId: grade.id, startDate: '2020-04-01' })
  const same = {
    givenName: person.givenName, familyName: person.familyName, email: person.email, staffType: person.staffType, gradeId: grade.id, orgUnitId: unit.id,
    lineManagerId: manager.id, status: 'active', startDate: '2020-04-01', leavingDate: null, preferredName: null, externalId: null
  }
  expectNothingChanged(t, await api.patchesChangingNothing(`/v1/people/${person.id}`, [{}, same, { familyName: person.familyName }]))

  // The control: a real change still makes a new version, an audit record and an event.
  const changed = await api.patch(`/v1/people/${person.id}`, { preferredName: 'Al' })
  t.equal(changed.statusCode, 200)
  t.equal(changed.json().version, person.version + 1)
  const mark = await api.trailMark()
  t.ok(mark.events > 0 && mark.audit > 0)
  const events = (await api.get(`/v1/events?type=person.updated&limit=500`)).json().data.filter((e: { entityId: string }) => e.entityId === person.id)
  t.equal(events.length, 1, 'one event: the real change only')
})

t.test('org unit: empty and same-valued PATCHes change nothing, and a same parent is no move', async (t) => {
  const parent = await api.orgUnit({ kind: 'borough' })
  const unit = await api.orgUnit({ parentId: parent.id })
  expectNothingChanged(t, await api.patchesChangingNothing(`/v1/org-units/${unit.id}`, [{}, { name: unit.name, kind: unit.kind, parentId: parent.id, status: 'active' }]))
})

t.test('grade: empty and same-valued PATCHes change nothing', async (t) => {
  const grade = await api.grade({ level: 4 })
  expectNothingChanged(t, await api.patchesChangingNothing(`/v1/grades/${grade.id}`, [{}, { code: grade.code, name: grade.name, staffType: grade.staffType, level: 4 }]))
})
