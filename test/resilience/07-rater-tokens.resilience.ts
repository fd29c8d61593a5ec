import { randomBytes } from 'node:crypto'
import t from 'tap'
import { isRaterOnly, loadContract, operations } from './lib/contract.js'
import { withClient } from './lib/cluster.js'
import { client, report, send, type Sent } from './lib/http.js'
import { sleep } from './lib/load.js'
import { startServer, token } from './lib/server.js'
import { create, ok, person, unique } from './lib/seed.js'

/**
 * Rater tokens (360° feedback): the questionnaire endpoints are reached with an invitation token
 * alone. Runs when the contract has operations secured by the `raterToken` scheme.
 */
process.env.RESILIENCE_FILE = 'rater'
const raterOps = operations(loadContract()).filter(isRaterOnly)
const LIMIT = 40
const figures: Record<string, unknown> = {}

if (raterOps.length === 0 || !raterOps.some((o) => o.method === 'GET' && o.path === '/v1/questionnaire')) {
  t.comment('no rater-token operations in openapi/openapi.json yet: nothing to test')
  t.pass('skipped: the feedback module has not landed')
} else {
  const server = await startServer({ RATER_RATE_LIMIT_PER_MINUTE: String(LIMIT) })
  t.teardown(() => server.stop())
  const api = client(server.base, token())
  let questionnaireCalls = 0
  const questionnaire = (raterToken: string | null): Promise<Sent> => {
    questionnaireCalls++
    return send(server.base, 'GET', '/v1/questionnaire', { headers: raterToken === null ? {} : { 'x-rater-token': raterToken } })
  }

  // A published framework (written as the assessments module's tables hold it), a subject, an open assessment.
  const code = unique('FW')
  const frameworkId = await withClient(process.env.RESILIENCE_ADMIN_URL!, async (c) => {
    const fw = await c.query(`insert into frameworks (code, version_number, name, kind, status, published_at) values ($1, 1, $1, 'values', 'published', now()) returning id`, [code])
    const value = await c.query(`insert into framework_elements (framework_id, lineage_id, kind, code, title, polarity, position) values ($1, gen_random_uuid(), 'value', 'V1', 'Integrity', 'positive', 0) returning id`, [fw.rows[0].id])
    await c.query(`insert into framework_elements (framework_id, parent_id, lineage_id, kind, code, title, polarity, position) values ($1, $2, gen_random_uuid(), 'behaviour', 'B1', 'Tells the truth', 'positive', 1)`, [fw.rows[0].id, value.rows[0].id])
    return fw.rows[0].id as string
  })
  const subject = await person(api)
  const openAssessment = async (closesInMs = 7 * 86_400_000) => {
    const a = await create(api, '/v1/assessments', { subjectId: subject.id, frameworkId, purpose: 'Resilience', opensAt: new Date(Date.now() - 3_600_000).toISOString(), closesAt: new Date(Date.now() + closesInMs).toISOString() })
    await ok(api.post(`/v1/assessments/${a.id}/transitions`, { body: { to: 'open' } }), 200, 'open assessment')
    return a
  }
  const assessment = await openAssessment()
  const invite = async (assessmentId = assessment.id) => create(api, `/v1/assessments/${assessmentId}/invitations`, { relationship: 'peer', personId: (await person(api)).id })
  const refusalShape = (res: Sent) => ({ status: res.status, type: res.json().type, title: res.json().title, detail: res.json().detail, challenge: res.headers.get('www-authenticate'), contentType: res.headers.get('content-type'), keys: Object.keys(res.json()).sort() })

  t.test('tokens carry at least 128 random bits', async (t) => {
    const issued: string[] = []
    for (let i = 0; i < 12; i++) issued.push((await invite()).token)
    const shapes = new Set(issued.map((tk) => tk.replace(/[A-Za-z0-9_-]/g, 'x')))
    const alphabet = /^[A-Za-z0-9_-]+$/
    const random = issued.map((tk) => tk.replace(/^pwr_/, ''))
    t.ok(random.every((r) => alphabet.test(r)), 'base64url after the prefix')
    const bits = Math.min(...random.map((r) => Buffer.from(r, 'base64url').length * 8))
    t.ok(bits >= 128, `${bits} random bits per token (≥ 128)`)
    t.equal(new Set(issued).size, issued.length, 'all distinct')
    // No shared structure: every position varies across tokens (a counter or a timestamp would not).
    const fixed = [...Array(random[0].length).keys()].filter((i) => new Set(random.map((r) => r[i])).size === 1)
    t.ok(fixed.length <= 2, `no fixed positions beyond chance (${fixed.length})`)
    figures['token entropy'] = `${issued.length} tokens, shape ${[...shapes][0]}, ${bits} bits each, all distinct`
  })

  t.test('unknown, malformed, used, withdrawn and expired tokens get one identical refusal', async (t) => {
    const good = await invite()
    t.equal((await questionnaire(good.token)).status, 200, 'a genuine token opens the questionnaire')
    const reference = refusalShape(await questionnaire(`pwr_${randomBytes(32).toString('base64url')}`))
    t.equal(reference.status, 401)
    const variants: Array<[string, string | null]> = [
      ['another unknown well-formed token', `pwr_${randomBytes(32).toString('base64url')}`],
      ['the genuine token with its last character changed', good.token.slice(0, -1) + (good.token.endsWith('A') ? 'B' : 'A')],
      ['the genuine token in upper case', good.token.toUpperCase()],
      ['too short', 'pwr_abc'],
      ['no prefix', randomBytes(32).toString('base64url')],
      ['SQL', "pwr_' OR '1'='1"],
      ['no header', null]
    ]
    // Used: submitted answers use the token up.
    const used = await invite()
    const q = (await questionnaire(used.token)).json()
    const answers = { ratings: q.elements.filter((e: { rated: boolean }) => e.rated).map((e: { elementId?: string; id?: string }) => ({ elementId: e.elementId ?? e.id, value: null })), comments: [] }
    const submitted = await send(server.base, 'POST', '/v1/questionnaire/submission', { headers: { 'x-rater-token': used.token }, body: answers })
    t.equal(submitted.status, 200, `answers submitted (${submitted.text.slice(0, 200)})`)
    variants.push(['a used token', used.token])
    // Withdrawn by the administrator.
    const withdrawn = await invite()
    await ok(api.post(`/v1/invitations/${withdrawn.id}/transitions`, { body: { to: 'withdrawn', reason: 'resilience' } }), 200, 'withdraw')
    variants.push(['a withdrawn token', withdrawn.token])
    // Expired: its assessment's window closed.
    const closing = await openAssessment(2500)
    const expiring = await invite(closing.id)
    t.equal((await questionnaire(expiring.token)).status, 200, 'open before the window closes')
    await sleep(3000)
    variants.push(['an expired token (window closed)', expiring.token])
    for (const [name, raterToken] of variants) {
      const res = await questionnaire(raterToken)
      t.same(refusalShape(res), reference, `${name}: the same 401 as an unknown token`)
    }
    figures['refusals'] = `${variants.length + 1} kinds (unknown, malformed, used, withdrawn, expired, missing): one identical 401 rater-token-invalid`
  })

  t.test(`guessing is rate limited per address (${LIMIT} a minute here; default 60)`, async (t) => {
    let first429 = 0
    let guesses = 0
    while (questionnaireCalls < LIMIT + 5) {
      const res = await questionnaire(`pwr_${randomBytes(32).toString('base64url')}`)
      guesses++
      if (res.status === 429) {
        first429 = questionnaireCalls
        t.equal(res.json().type, '/problems/rate-limited')
        t.ok(Number(res.headers.get('retry-after')) > 0, 'with Retry-After')
        break
      }
      t.equal(res.status, 401)
    }
    t.equal(first429, LIMIT + 1, `request ${LIMIT + 1} of the minute is refused with 429`)
    const good = await invite()
    t.equal((await questionnaire(good.token)).status, 429, 'a genuine token from the same address waits too: guessing cannot continue')
    // 2^256 tokens at 60 guesses a minute: the expected time to hit one of even a million live tokens.
    const years = 2 ** 256 / 1e6 / (60 * 60 * 24 * 365 * 60)
    figures['brute force'] = `429 from request ${first429} of the minute (limit ${LIMIT}); at 60 guesses a minute, finding one of a million live 256-bit tokens takes ~${years.toExponential(1)} years`
  })

  t.test('report', async () => {
    report('7 rater tokens', figures)
  })
}
