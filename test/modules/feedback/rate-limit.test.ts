import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildFeedbackApp } from './factories.js'

// A low limit for the questionnaire endpoints; every other endpoint keeps the high one.
const api = await buildFeedbackApp({ RATER_RATE_LIMIT_PER_MINUTE: '5' })
t.teardown(() => api.close())

t.test('guessing tokens from one address is cut off after the limit', async (t) => {
  const subject = await api.person()
  const fw = await api.framework()
  const a = await api.assessment(subject.id, fw.id)
  await api.moveAssessment(a.id, 'open')
  const inv = await api.invite(a.id, { relationship: 'self' })

  const guesser = '192.0.2.66'
  for (let i = 0; i < 5; i++) {
    const guess = 'pwr_' + String(i).repeat(43)
    expectProblem(t, await api.questionnaire(guess, guesser), 401, 'rater-token-invalid')
  }
  const limited = expectProblem(t, await api.questionnaire('pwr_' + 'z'.repeat(43), guesser), 429, 'rate-limited')
  t.match(limited.detail, /more than 5 questionnaire requests a minute/)
  const res = await api.questionnaire(inv.token, guesser)
  t.equal(res.statusCode, 429, 'even a good token is refused from that address for the rest of the minute')
  t.ok(Number(res.headers['retry-after']) > 0, 'Retry-After is given')

  const other = await api.questionnaire(inv.token, '198.51.100.7')
  t.equal(other.statusCode, 200, 'another address is not affected')
  const admin = await api.get(`/v1/assessments/${a.id}`)
  t.equal(admin.statusCode, 200, 'bearer-token endpoints keep their own limit')
})
