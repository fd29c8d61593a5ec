import type { Test } from 'tap'

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail?: string
  instance?: string
  errors?: Array<{ in: string; pointer: string; detail: string }>
  [extension: string]: unknown
}

interface InjectResponse {
  statusCode: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
  json(): any
}

/**
 * Asserts `res` is an RFC 9457 problem of the given status and `/problems/<slug>` type, in
 * application/problem+json, with nothing internal in it (no stack, no SQL).
 */
export function expectProblem(t: Test, res: InjectResponse, status: number, slug: string): ProblemBody {
  t.equal(res.statusCode, status, `status ${status}`)
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'content-type is application/problem+json')
  const body = res.json() as ProblemBody
  t.equal(body.type, `/problems/${slug}`, `type /problems/${slug}`)
  t.equal(body.status, status, 'body.status repeats the HTTP status')
  t.type(body.title, 'string', 'has a title')
  t.notOk('stack' in body, 'no stack property')
  t.notMatch(res.body, /\n\s+at |node_modules|\.ts:\d+/, 'no stack trace text')
  t.notMatch(res.body, /\b(select|insert into|update \w+ set|delete from)\b/i, 'no SQL')
  return body
}
