/**
 * Dates for the demo's cohorts and agendas, computed without the host's time zone or ICU data so
 * the demo is the same on every machine: London wall-clock times become UTC by the EU summer-time
 * rule (last Sunday of March to last Sunday of October, changing at 01:00 UTC).
 */
const DAY = 86_400_000

const utcMidnight = (date: string) => Date.parse(`${date}T00:00:00Z`)
export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export function addDays(date: string, days: number): string {
  return isoDate(utcMidnight(date) + days * DAY)
}

/** 0 Sunday … 6 Saturday. */
export const weekday = (date: string) => new Date(utcMidnight(date)).getUTCDay()

export function daysBetween(from: string, to: string): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / DAY)
}

function lastSunday(year: number, month: number): number {
  const last = Date.UTC(year, month + 1, 0)
  return last - new Date(last).getUTCDay() * DAY
}

/** The UTC instant of a London wall-clock time, e.g. ('2004-09-14', '09:30') → 2004-09-14T08:30:00.000Z. */
export function londonTime(date: string, hhmm: string): string {
  const wall = Date.parse(`${date}T${hhmm}:00Z`)
  const year = Number(date.slice(0, 4))
  const summerStarts = lastSunday(year, 2) + 3_600_000
  const summerEnds = lastSunday(year, 9) + 3_600_000
  const offset = wall - 3_600_000 >= summerStarts && wall - 3_600_000 < summerEnds ? 3_600_000 : 0
  return new Date(wall - offset).toISOString()
}

/** The `nth` (1-based) given weekday of a month, e.g. the second Tuesday of September 2004. */
export function nthWeekday(year: number, month: number, day: number, nth: number): string {
  const first = Date.UTC(year, month - 1, 1)
  const shift = (day - new Date(first).getUTCDay() + 7) % 7
  return isoDate(first + (shift + (nth - 1) * 7) * DAY)
}

/** `count` working days (Monday to Friday) from `start` (itself a working day), in order. */
export function workingDays(start: string, count: number): string[] {
  const days: string[] = []
  for (let d = start; days.length < count; d = addDays(d, 1)) if (weekday(d) !== 0 && weekday(d) !== 6) days.push(d)
  return days
}

/** `count` dates a week apart from `start`. */
export const weekly = (start: string, count: number) => Array.from({ length: count }, (_, i) => addDays(start, 7 * i))
