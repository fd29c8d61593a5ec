/**
 * A PATCH that changes nothing (an empty body, or every value as it already is) is not a change:
 * 200 with the same version and ETag, and no audit record or event (src/platform/patches.ts).
 * Programmes, cohorts and agenda sessions; a real change still makes a new version.
 */
import t from 'tap'
import { expectNothingChanged } from '../../helpers/patches.js'
import { buildProgrammesApp } from './factories.js'

const api = await buildProgrammesApp()
t.teardown(() => api.close())

t.test('programme: empty, same-valued (eligibility, lists, numbers) PATCHes change nothing; a real one does', async (t) => {
  const programme = await api.programme({
    aim: 'Better briefings',
    keyFeatures: ['two days', 'scenario'],
    eligibility: { levelMin: 2, levelMax: 5, staffTypes: ['officer', 'staff'], notes: 'Sergeants first' },
    defaultCapacity: 12,
    costPerEvent: 1500.5
  })
  const same = {
    title: programme.title,
    aim: 'Better briefings',
    keyFeatures: ['two days', 'scenario'],
    eligibility: { notes: 'Sergeants first', staffTypes: ['officer', 'staff'], levelMax: 5, levelMin: 2 },
    defaultCapacity: 12,
    costPerEvent: 1500.5
  }
  expectNothingChanged(t, await api.patchesChangingNothing(`/v1/programmes/${programme.id}`, [{}, same]))

  const before = await api.trailMark()
  const changed = await api.patch(`/v1/programmes/${programme.id}`, { aim: 'Sharper briefings' })
  t.equal(changed.statusCode, 200)
  t.equal(changed.json().version, programme.version + 1, 'a real change is a new version')
  const after = await api.trailMark()
  t.ok(after.audit > before.audit && after.events > before.events, 'and is audited and published')
})

t.test('cohort: empty and same-valued PATCHes change nothing', async (t) => {
  const cohort = await api.cohort({ venue: 'Hendon', facilitators: ['A. Trainer'], cost: 99.9 })
  const same = { title: cohort.title, startsOn: cohort.startsOn, endsOn: cohort.endsOn, venue: 'Hendon', capacity: cohort.capacity, facilitators: ['A. Trainer'], cost: 99.9 }
  expectNothingChanged(t, await api.patchesChangingNothing(`/v1/cohorts/${cohort.id}`, [{}, same]))
})

t.test('agenda session: empty and same-valued PATCHes change nothing, instants compared as instants', async (t) => {
  const cohort = await api.cohort()
  const session = await api.session(cohort, { purpose: 'Briefing' })
  // The same instants written differently (no milliseconds) are the same values.
  const same = { title: session.title, startsAt: `${cohort.startsOn}T09:00:00Z`, endsAt: `${cohort.startsOn}T10:00:00Z`, purpose: 'Briefing' }
  expectNothingChanged(t, await api.patchesChangingNothing(`/v1/cohorts/${cohort.id}/sessions/${session.id}`, [{}, same]))
})
