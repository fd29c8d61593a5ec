import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { expectProblem } from './expect-problem.js'

const ctx = await buildTestApp()
t.teardown(() => ctx.close())

const writer = ctx.auth(['people:write'])

async function newUnit(name: string, extra: Record<string, unknown> = {}) {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: writer, payload: { name, kind: 'team', ...extra } })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json() as { id: string; name: string; version: number }
}

const get = (url: string) => ctx.app.inject({ method: 'GET', url, headers: writer })
const patch = (id: string, payload: unknown, ifMatch?: string) =>
  ctx.app.inject({ method: 'PATCH', url: `/v1/org-units/${id}`, headers: { ...writer, ...(ifMatch !== undefined ? { 'if-match': ifMatch } : {}) }, payload: payload as object })

t.test('optimistic concurrency', async (t) => {
  t.test('GET carries the version as a strong ETag', async (t) => {
    const unit = await newUnit('Etag unit')
    const res = await get(`/v1/org-units/${unit.id}`)
    t.equal(res.headers.etag, '"1"')
    t.equal(res.json().version, 1)
  })

  t.test('PATCH with the current If-Match succeeds and returns the next ETag', async (t) => {
    const unit = await newUnit('Match unit')
    const res = await patch(unit.id, { name: 'Match unit v2' }, '"1"')
    t.equal(res.statusCode, 200)
    t.equal(res.headers.etag, '"2"')
    t.match(res.json(), { name: 'Match unit v2', version: 2 })
  })

  t.test('PATCH with a stale If-Match is 412, reports the current ETag, and changes nothing', async (t) => {
    const unit = await newUnit('Stale unit')
    t.equal((await patch(unit.id, { name: 'Stale unit v2' }, '"1"')).statusCode, 200)
    const stale = await patch(unit.id, { name: 'Lost update', status: 'closed' }, '"1"')
    const body = expectProblem(t, stale, 412, 'precondition-failed')
    t.equal(body.detail, 'If-Match names version 1, the current version is 2')
    t.equal(stale.headers.etag, '"2"')
    const now = await get(`/v1/org-units/${unit.id}`)
    t.match(now.json(), { name: 'Stale unit v2', status: 'active', version: 2 })
    t.equal(now.headers.etag, '"2"')
  })

  t.test('an If-Match we never issued is 412, not 400, and changes nothing', async (t) => {
    const unit = await newUnit('Garbage unit')
    for (const tag of ['garbage', '1', '"abc"', '"-1"', '""']) {
      expectProblem(t, await patch(unit.id, { name: 'Garbage changed' }, tag), 412, 'precondition-failed')
    }
    t.match((await get(`/v1/org-units/${unit.id}`)).json(), { name: 'Garbage unit', version: 1 })
  })

  t.test('a weak tag or * matches the current version', async (t) => {
    const unit = await newUnit('Weak unit')
    t.equal((await patch(unit.id, { name: 'Weak unit v2' }, 'W/"1"')).statusCode, 200)
    t.equal((await patch(unit.id, { name: 'Weak unit v3' }, '*')).statusCode, 200)
    t.equal((await get(`/v1/org-units/${unit.id}`)).json().version, 3)
  })

  t.test('without If-Match the update applies to whatever is current', async (t) => {
    const unit = await newUnit('Unconditional unit')
    t.equal((await patch(unit.id, { name: 'Unconditional v2' })).statusCode, 200)
  })

  t.test('DELETE with a stale If-Match is 412 and the record stays', async (t) => {
    const unit = await newUnit('Delete guarded')
    await patch(unit.id, { name: 'Delete guarded v2' })
    const res = await ctx.app.inject({ method: 'DELETE', url: `/v1/org-units/${unit.id}`, headers: { ...writer, 'if-match': '"1"' } })
    expectProblem(t, res, 412, 'precondition-failed')
    t.equal((await get(`/v1/org-units/${unit.id}`)).statusCode, 200)
    const ok = await ctx.app.inject({ method: 'DELETE', url: `/v1/org-units/${unit.id}`, headers: { ...writer, 'if-match': '"2"' } })
    t.equal(ok.statusCode, 204)
  })

  t.test('a PATCH body is validated like a create (unknown field refused, nothing changed)', async (t) => {
    const unit = await newUnit('Patch validated')
    const body = expectProblem(t, await patch(unit.id, { version: 7, name: '' }), 400, 'validation')
    t.same(body.errors?.map((e) => e.pointer).sort(), ['/name', '/version'])
    t.equal((await get(`/v1/org-units/${unit.id}`)).json().version, 1)
  })
})

t.test('keyset pagination', async (t) => {
  const names = ['Paged G', 'Paged B', 'Paged E', 'Paged A', 'Paged F', 'Paged C', 'Paged D']
  const created: Array<{ id: string; name: string }> = []
  for (const name of names) created.push(await newUnit(name))
  const base = '/v1/org-units?q=Paged&limit=3'

  /** Follows Link rel="next" from `url` to the end; returns each page's body. */
  async function walk(url: string) {
    const pages: Array<{ data: Array<{ id: string; name: string }>; page: { nextCursor: string | null }; link?: string }> = []
    let next: string | null = url
    while (next) {
      const res = await get(next)
      if (res.statusCode !== 200) throw new Error(res.body)
      const link = res.headers.link as string | undefined
      pages.push({ ...res.json(), link })
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : null
      if (pages.length > 10) throw new Error('pagination does not end')
    }
    return pages
  }

  t.test('seven records at limit 3 come in three pages, in order, with no duplicates or gaps', async (t) => {
    const pages = await walk(base)
    t.same(pages.map((p) => p.data.length), [3, 3, 1])
    const seen = pages.flatMap((p) => p.data.map((u) => u.name))
    t.same(seen, [...names].sort())
    t.equal(new Set(pages.flatMap((p) => p.data.map((u) => u.id))).size, 7)
    t.same(new Set(pages.flatMap((p) => p.data.map((u) => u.id))), new Set(created.map((u) => u.id)))
  })

  t.test('each non-final page has a Link rel="next" that keeps the filters and carries the cursor', async (t) => {
    const pages = await walk(base)
    for (const p of pages.slice(0, -1)) {
      t.match(p.link, /^<\/v1\/org-units\?q=Paged&limit=3&cursor=[A-Za-z0-9_-]+>; rel="next"$/)
      t.equal(new URLSearchParams(p.link!.slice(p.link!.indexOf('?'), p.link!.indexOf('>'))).get('cursor'), p.page.nextCursor)
    }
    const last = pages[pages.length - 1]
    t.equal(last.page.nextCursor, null)
    t.equal(last.link, undefined, 'no Link on the last page')
  })

  t.test('another sort pages through the same set in its own order', async (t) => {
    const pages = await walk('/v1/org-units?q=Paged&limit=2&sort=createdAt')
    t.same(pages.map((p) => p.data.length), [2, 2, 2, 1])
    t.same(pages.flatMap((p) => p.data.map((u) => u.id)), created.map((u) => u.id))
  })

  t.test('a record added behind the cursor does not shift later pages', async (t) => {
    const first = (await walk(base))[0]
    await newUnit('Paged 0 (added first in order)')
    const second = await get(`${base}&cursor=${first.page.nextCursor}`)
    t.same(second.json().data.map((u: { name: string }) => u.name), ['Paged D', 'Paged E', 'Paged F'])
  })

  t.test('limit outside 1..500 is a 400 on the query', async (t) => {
    for (const limit of ['501', '0', '-1', 'ten']) {
      const body = expectProblem(t, await get(`/v1/org-units?limit=${limit}`), 400, 'validation')
      t.same(body.errors?.map((e) => [e.in, e.pointer]), [['query', '/limit']])
    }
    t.equal((await get('/v1/org-units?limit=500')).statusCode, 200)
  })

  t.test('a sort outside the allow-list is a 400', async (t) => {
    const body = expectProblem(t, await get('/v1/org-units?sort=secret_column'), 400, 'validation')
    t.same(body.errors?.map((e) => e.pointer), ['/sort'])
  })

  t.test('a tampered cursor is 400 invalid-cursor', async (t) => {
    const cursor = (await walk(base))[0].page.nextCursor!
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    const tampered: Array<[string, string]> = [
      [cursor.slice(0, -4) + (cursor.endsWith('AAAA') ? 'BBBB' : 'AAAA'), 'name'],
      [cursor.slice(1), 'name'],
      ['not-a-cursor', 'name'],
      [encode('just a string'), 'name'],
      [encode({ s: 'name', k: ['Paged C'] }), 'name'],
      [encode({ s: 'name', k: [{ $gt: '' }, randomUUID()] }), 'name'],
      // Well-formed JSON whose values the database cannot compare with the sort's columns.
      [encode({ s: 'name', k: ['Paged C', 'not-a-uuid'] }), 'name'],
      [encode({ s: 'createdAt', k: ['not a time', decoded.k[1]] }), 'createdAt'],
      [encode({ s: 'createdAt', k: [true, randomUUID()] }), 'createdAt']
    ]
    for (const [bad, sort] of tampered) {
      const res = await get(`/v1/org-units?q=Paged&limit=3&sort=${sort}&cursor=${encodeURIComponent(bad)}`)
      expectProblem(t, res, 400, 'invalid-cursor')
    }
  })

  t.test('a cursor from one sort is refused by another', async (t) => {
    const byName = (await walk(base))[0].page.nextCursor!
    expectProblem(t, await get(`/v1/org-units?q=Paged&limit=3&sort=createdAt&cursor=${byName}`), 400, 'invalid-cursor')
    const byCreated = (await walk('/v1/org-units?q=Paged&limit=3&sort=createdAt'))[0].page.nextCursor!
    expectProblem(t, await get(`/v1/org-units?q=Paged&limit=3&sort=name&cursor=${byCreated}`), 400, 'invalid-cursor')
  })

  t.test('a cursor from another list is refused', async (t) => {
    const clients = await ctx.app.inject({ method: 'POST', url: '/v1/api-clients', headers: ctx.auth(['admin']), payload: { name: 'c1', scopes: ['people:read'] } })
    t.equal(clients.statusCode, 201)
    await ctx.app.inject({ method: 'POST', url: '/v1/api-clients', headers: ctx.auth(['admin']), payload: { name: 'c2', scopes: ['people:read'] } })
    const list = await ctx.app.inject({ method: 'GET', url: '/v1/audit-records?limit=1', headers: ctx.auth(['admin']) })
    const auditCursor = list.json().page.nextCursor
    t.ok(auditCursor)
    expectProblem(t, await get(`/v1/org-units?cursor=${auditCursor}`), 400, 'invalid-cursor')
  })
})
