/** What `patchesChangingNothing` (test/modules/people/factories.ts) saw: the record before, each PATCH's answer, the trail around them. */
export interface PatchesOutcome {
  etag: unknown
  version: number
  answers: Array<{ status: number; etag: unknown; version: unknown }>
  before: unknown
  after: unknown
  versionAfter: number
}

/** Every PATCH answered 200 with the record as it was: same ETag and version, nothing stored, audited or published. */
export function expectNothingChanged(t: { equal: Function; same: Function }, got: PatchesOutcome) {
  for (const [i, a] of got.answers.entries()) {
    t.equal(a.status, 200, `PATCH ${i} answers 200`)
    t.equal(a.etag, got.etag, `PATCH ${i} keeps the ETag`)
    t.equal(a.version, got.version, `PATCH ${i} keeps the version`)
  }
  t.equal(got.versionAfter, got.version, 'the stored version did not move')
  t.same(got.after, got.before, 'no audit record, no event')
}
