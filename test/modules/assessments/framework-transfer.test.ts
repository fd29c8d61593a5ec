import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildAssessmentsApp, frameworkCode, type Framework } from './factories.js'

const api = await buildAssessmentsApp()
t.teardown(() => api.close())

const pointers = (body: { errors?: Array<{ pointer: string }> }) => (body.errors ?? []).map((e) => e.pointer).sort()
const importAs = (body: string, type: string) => api.post('/v1/frameworks/import', body, { headers: { 'content-type': type } })

/** A framework with everything a round trip must keep: nesting, order, polarity, text that needs quoting, formula-like cells. */
function richDocument(code: string) {
  return {
    code,
    name: 'Competency framework, "2016"',
    kind: 'competency',
    versionNumber: 1,
    description: 'Three clusters,\nsix competencies',
    elements: [
      {
        code: 'CL-1',
        kind: 'cluster',
        title: 'Resolute, compassionate and committed',
        description: null,
        polarity: 'positive',
        children: [
          {
            code: 'C-1',
            kind: 'competency',
            title: 'We are emotionally aware',
            description: 'Line one\nline two, with "quotes"',
            polarity: 'positive',
            children: [
              { code: 'C-1.1', kind: 'behaviour', title: '=HYPERLINK("http://evil")', description: null, polarity: 'positive', children: [] },
              { code: 'C-1.2', kind: 'behaviour', title: '-ignores how others feel', description: '@mention', polarity: 'negative', children: [] },
              { code: 'C-1.3', kind: 'behaviour', title: "'quoted already", description: '+44 20 7202 0202', polarity: 'positive', children: [] }
            ]
          }
        ]
      },
      { code: '-TOP', kind: 'competency', title: 'We take ownership', description: null, polarity: 'positive', children: [{ code: 'T-1', kind: 'behaviour', title: 'Takes responsibility', description: "'=quoted formula, kept as typed", polarity: 'positive', children: [] }] }
    ]
  }
}

t.test('JSON: export → import → export is exact', async (t) => {
  const code = frameworkCode()
  const imported = await api.post('/v1/frameworks/import', richDocument(code))
  t.equal(imported.statusCode, 201, imported.body)
  const framework = imported.json() as Framework
  t.equal(imported.headers.location, `/v1/frameworks/${framework.id}`)
  t.match(framework, { code, versionNumber: 1, status: 'draft', elementCount: 7 })

  const exported = await api.get(`/v1/frameworks/${framework.id}/export?format=json`)
  t.equal(exported.statusCode, 200)
  t.match(String(exported.headers['content-type']), /^application\/json/)
  t.match(String(exported.headers['content-disposition']), new RegExp(`filename="${code}-v1.json"`))
  t.same(exported.json(), richDocument(code), 'the document as imported')

  // Thrown away and imported again from the export: the same document comes back.
  t.equal((await api.delete(`/v1/frameworks/${framework.id}`)).statusCode, 204)
  const again = await api.post('/v1/frameworks/import', exported.json())
  t.equal(again.statusCode, 201, again.body)
  t.same((await api.get(`/v1/frameworks/${again.json().id}/export`)).json(), exported.json())
})

t.test('CSV: one record per element with its parent code; formula cells neutralised; export → import → export is exact', async (t) => {
  const code = frameworkCode()
  const framework = (await api.post('/v1/frameworks/import', richDocument(code))).json() as Framework
  const exported = await api.get(`/v1/frameworks/${framework.id}/export`, { headers: { accept: 'text/csv' } })
  t.equal(exported.statusCode, 200)
  t.match(String(exported.headers['content-type']), /^text\/csv/)
  const lines = exported.body.trim().split('\n')
  t.equal(lines[0], 'record,code,parentCode,kind,title,description,polarity,versionNumber')
  t.equal(lines[1], `framework,${code},,competency,"Competency framework, ""2016""","Three clusters,`)
  t.ok(lines.includes(`element,C-1.1,C-1,behaviour,"'=HYPERLINK(""http://evil"")",,positive,`), 'a formula is prefixed with a quote')
  t.ok(lines.includes(`element,C-1.2,C-1,behaviour,'-ignores how others feel,'@mention,negative,`))
  t.ok(lines.includes(`element,C-1.3,C-1,behaviour,''quoted already,'+44 20 7202 0202,positive,`), 'a cell starting with a quote keeps it')
  t.ok(lines.includes(`element,'-TOP,,competency,We take ownership,,positive,`))
  t.ok(lines.includes(`element,T-1,'-TOP,behaviour,Takes responsibility,"''=quoted formula, kept as typed",positive,`), 'a quote before a formula is itself quoted, and comes back once')
  t.notOk(exported.body.split(/[\n,]/).some((cell) => /^[=+\-@]/.test(cell)), 'no cell starts with = + - @')

  t.equal((await api.delete(`/v1/frameworks/${framework.id}`)).statusCode, 204)
  const back = await importAs(exported.body, 'text/csv')
  t.equal(back.statusCode, 201, back.body)
  t.same((await api.get(`/v1/frameworks/${back.json().id}/export?format=csv`)).body, exported.body, 'CSV round trip')
  t.same((await api.get(`/v1/frameworks/${back.json().id}/export?format=json`)).json(), richDocument(code), 'and it is the same framework as the JSON')
  expectProblem(t, await api.get(`/v1/frameworks/${back.json().id}/export`, { headers: { accept: 'application/xml' } }), 406, 'not-acceptable')
})

t.test('an import without a version number is the next version of its code, sharing lineages by element code', async (t) => {
  const code = frameworkCode()
  const v1 = (await api.post('/v1/frameworks/import', richDocument(code))).json() as Framework
  await api.publish(v1.id)
  const document = (await api.get(`/v1/frameworks/${v1.id}/export`)).json()
  expectProblem(t, await api.post('/v1/frameworks/import', document), 409, 'conflict')
  const { versionNumber: _dropped, ...next } = document
  next.elements[1].children.push({ code: 'T-2', kind: 'behaviour', title: 'Asks for feedback', description: null, polarity: 'positive', children: [] })
  const res = await api.post('/v1/frameworks/import', next)
  t.equal(res.statusCode, 201, res.body)
  t.match(res.json(), { versionNumber: 2, basedOnId: v1.id, status: 'draft', elementCount: 8 })
  const lineages = async (id: string) =>
    Object.fromEntries(((await api.get(`/v1/frameworks/${id}/elements?limit=500`)).json().data as Array<{ code: string; lineageId: string; id: string }>).map((e) => [e.code, e]))
  const [old, fresh] = [await lineages(v1.id), await lineages(res.json().id)]
  for (const c of Object.keys(old)) t.equal(fresh[c].lineageId, old[c].lineageId, `${c} keeps its lineage`)
  t.equal(fresh['T-2'].lineageId, fresh['T-2'].id, 'a new element starts its own')
})

t.test('JSON import errors point into the document and write nothing', async (t) => {
  const mark = await api.trailMark()
  const code = frameworkCode()
  const schema = expectProblem(
    t,
    await api.post('/v1/frameworks/import', { code, name: 'x', kind: 'values', elements: [{ code: 'A', kind: 'value', title: 'A', children: [{ code: 'B', kind: 'trait', title: ' ' }] }] }),
    400,
    'validation'
  )
  t.same([...new Set(pointers(schema))], ['/elements/0/children/0/kind', '/elements/0/children/0/title'])
  const duplicate = expectProblem(
    t,
    await api.post('/v1/frameworks/import', { code, name: 'x', kind: 'values', elements: [{ code: 'A', kind: 'value', title: 'A', children: [{ code: 'B', kind: 'behaviour', title: 'b' }, { code: 'A', kind: 'behaviour', title: 'c' }] }] }),
    422,
    'framework-invalid'
  )
  t.same(duplicate.errors, [{ in: 'body', pointer: '/elements/0/children/1/code', detail: 'code A is already used at /elements/0' }])
  expectProblem(t, await importAs('<framework/>', 'application/xml'), 415, 'unsupported-media-type')
  t.same(await api.trailMark(), mark, 'nothing written')
  t.same((await api.get(`/v1/frameworks?code=${code}`)).json().data, [])
})

t.test('CSV import errors are listed by line and write nothing', async (t) => {
  const mark = await api.trailMark()
  const code = frameworkCode()
  const file = [
    'record,code,parentCode,kind,title,description,polarity,versionNumber',
    `framework,${code},,values,Values,,,`,
    'element,V1,,value,Pride,,,',
    'element,V1-1,V9,behaviour,Unknown parent,,positive,',
    'element,V1,,value,Duplicate,,,',
    '',
    'element,V2,,virtue,Bad kind,,sideways,3',
    'element,V3-1,V3,behaviour,Parent comes later,,,',
    'element,V3,,value,Later,,,',
    'element,V4,,value,"Quoted, with',
    'a newline",,,',
    'element,V5,,value,,,,',
    'framework,AGAIN,,values,Twice,,,'
  ].join('\n')
  const problem = expectProblem(t, await importAs(file, 'text/csv'), 422, 'import-rejected')
  const byLine = Object.fromEntries((problem.failures as Array<{ line: number; errors: Array<{ pointer: string; detail: string }> }>).map((f) => [f.line, f.errors.map((e) => `${e.pointer} ${e.detail}`)]))
  t.same(Object.keys(byLine).map(Number), [4, 5, 7, 8, 12, 13])
  t.match(byLine[4], ['/parentCode no element with code V9 on an earlier line'])
  t.match(byLine[5], ['/code code V1 is already used on an earlier line'])
  t.same(byLine[7].sort(), ['/kind must be one of cluster, competency, value, behaviour', '/polarity must be one of positive, negative', '/versionNumber only the framework record has a version number'])
  t.match(byLine[8], ['/parentCode no element with code V3 on an earlier line'])
  t.match(byLine[12], [/^\/title /])
  t.match(byLine[13], ['/record the framework record comes once, first'])
  t.equal(problem.detail, '6 of 10 records failed; nothing was written')

  const first = expectProblem(t, await importAs('record,code,kind,title\nelement,A,value,A\n', 'text/csv'), 422, 'import-rejected')
  t.match(first.failures, [{ line: 2, errors: [{ pointer: '/record', detail: /first record must be the framework/ }] }])
  const unknown = expectProblem(t, await importAs('record,code,colour\n', 'text/csv'), 400, 'validation')
  t.match(unknown.detail, /unknown CSV columns: colour/)
  t.same(await api.trailMark(), mark, 'nothing written')
  t.same((await api.get(`/v1/frameworks?code=${code}`)).json().data, [])
})

t.test('import and export need the assessments scopes', async (t) => {
  const framework = (await api.post('/v1/frameworks/import', richDocument(frameworkCode()))).json() as Framework
  expectProblem(t, await api.post('/v1/frameworks/import', richDocument(frameworkCode()), { scopes: ['assessments:read'] }), 403, 'forbidden')
  expectProblem(t, await api.get(`/v1/frameworks/${framework.id}/export`, { scopes: ['programmes:read'] }), 403, 'forbidden')
  t.equal((await api.get(`/v1/frameworks/${framework.id}/export`, { scopes: ['assessments:read'] })).statusCode, 200)
  expectProblem(t, await api.get('/v1/frameworks/00000000-0000-4000-8000-000000000000/export'), 404, 'not-found')
})
