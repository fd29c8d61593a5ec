import t from 'tap'
import { buildRecommendationsApp } from './factories.js'

const api = await buildRecommendationsApp()
t.teardown(() => api.close())

t.test('values per org unit and period, a series for charts, and the annual outcomes report', async (t) => {
  const service = await api.orgUnit({ name: 'MPS', kind: 'service' })
  const borough = await api.orgUnit({ name: 'Lambeth', kind: 'borough', parentId: service.id })
  const rec = await api.recommendation()
  const bme = await api.create<Record<string, any>>('/v1/indicators', {
    code: 'BME-OFFICERS',
    title: 'BME strength of police officers',
    unit: '%',
    direction: 'higher_is_better',
    target: 25,
    recommendationIds: [rec.id]
  })
  const stops = await api.create<Record<string, any>>('/v1/indicators', { code: 'SS-DISP', title: 'Stop and search disproportionality ratio', unit: 'ratio', direction: 'lower_is_better', target: 1 })
  const value = (indicator: string, orgUnitId: string, period: string, v: number) => api.create<Record<string, any>>(`/v1/indicators/${indicator}/values`, { orgUnitId, period, value: v })
  await value(bme.id, service.id, '1999', 4.0)
  await value(bme.id, service.id, '2003', 6.1)
  const v2005 = await value(bme.id, service.id, '2005', 7.7)
  await value(bme.id, borough.id, '2005-12-31/2005-12-31', 12.5)
  await value(stops.id, borough.id, '2004', 6.0)
  await value(stops.id, borough.id, '2005-04-01/2005-09-30', 5.2)
  await value(stops.id, borough.id, '2005-10-01/2005-12-31', 4.8)

  t.match(v2005, { periodStart: '2005-01-01', periodEnd: '2005-12-31', value: 7.7 })
  const dup = await api.post(`/v1/indicators/${bme.id}/values`, { orgUnitId: service.id, period: '2005', value: 8 })
  t.equal(dup.statusCode, 409)
  const backwards = await api.post(`/v1/indicators/${bme.id}/values`, { orgUnitId: service.id, period: '2006-12-31/2006-01-01', value: 8 })
  t.equal(backwards.statusCode, 422)
  const notADate = await api.post(`/v1/indicators/${bme.id}/values`, { orgUnitId: service.id, period: '2006-02-30/2006-03-01', value: 8 })
  t.equal(notADate.statusCode, 422)
  const badShape = await api.post(`/v1/indicators/${bme.id}/values`, { orgUnitId: service.id, period: 'FY2006', value: 8 })
  t.equal(badShape.statusCode, 400)
  const asText = await api.post(`/v1/indicators/${bme.id}/values`, { orgUnitId: service.id, period: '2007', value: '8' })
  t.equal(asText.statusCode, 400, 'JSON numbers are not coerced')

  const series = (await api.get(`/v1/indicators/${bme.id}/series?orgUnitId=${service.id}`)).json()
  t.same(series.series.map((s: any) => s.points.map((p: any) => [p.period, p.value])), [[['1999', 4], ['2003', 6.1], ['2005', 7.7]]])
  t.same(series.indicator.recommendationIds, [rec.id])
  const both = (await api.get(`/v1/indicators/${bme.id}/series`)).json()
  t.same(both.series.map((s: any) => s.orgUnitName), ['Lambeth', 'MPS'])

  const outcomes = (await api.get(`/v1/indicators/annual-outcomes?year=2005`)).json()
  t.same(outcomes.orgUnits.map((u: any) => u.orgUnitName), ['Lambeth', 'MPS'])
  const [lambeth, mps] = outcomes.orgUnits
  t.same(mps.indicators, [
    {
      indicatorId: bme.id, code: 'BME-OFFICERS', title: 'BME strength of police officers', unit: '%', direction: 'higher_is_better', target: 25,
      period: '2005', value: 7.7, baselinePeriod: '2003', baselineValue: 6.1, change: 1.6, improved: true, targetMet: false
    }
  ])
  t.same(lambeth.indicators.map((i: any) => [i.code, i.period, i.value, i.baselineValue, i.change, i.improved, i.targetMet]), [
    ['BME-OFFICERS', '2005-12-31/2005-12-31', 12.5, null, null, null, false],
    ['SS-DISP', '2005-10-01/2005-12-31', 4.8, 6, -1.2, true, false]
  ])
  const scoped = (await api.get(`/v1/indicators/annual-outcomes?year=2005&orgUnitId=${service.id}&includeDescendants=true&indicatorId=${stops.id}`)).json()
  t.same(scoped.orgUnits.map((u: any) => [u.orgUnitName, u.indicators.length]), [['Lambeth', 1]])

  const corrected = await api.patch(`/v1/indicators/${bme.id}/values/${v2005.id}`, { value: 7.8 }, { headers: { 'if-match': '"1"' } })
  t.equal(corrected.json().value, 7.8)
  const stale = await api.patch(`/v1/indicators/${bme.id}/values/${v2005.id}`, { value: 7.9 }, { headers: { 'if-match': '"1"' } })
  t.equal(stale.statusCode, 412)
  t.same((await api.trailOf(v2005.id)).audit.map((a) => a.action).sort(), ['indicator-value.corrected', 'indicator-value.recorded'])
})
