import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import type { LoadResult } from './load.js'

interface Result {
  date: string
  database: string
  options: { scale: number; duration: number; warmup: number; connections: number }
  machine: { cpus: number; cpu?: string; node: string; loadBefore: number[]; loadAfter: number[] }
  generated: { counts: Record<string, number>; seconds: number }
  constant?: { reference: LoadResult; api: LoadResult }
  workloads: Array<{ name: string; title: string; api: LoadResult; reference: LoadResult; ratio: number; target: string; met: boolean | null }>
  deepPaging?: { firstRps: number; lastRps: number; ratio: number; met: boolean }
  imports: Array<{ people: number; format: string; bytes: number; copySeconds: number; copyAllSeconds?: number; ratio: number; first: ImportRunLike; again: ImportRunLike }>
  startup?: { firstStartMs: number; existingMs: number[]; existingLargeMs?: number[]; existingTsxMs?: number[] }
  apiMemoryAfterLoad?: { rssMb: number; hwmMb: number }
}
interface ImportRunLike {
  seconds: number
  peakRssMb: number
  hwmMb: number
  counts: Record<string, number>
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-GB')
const pct = (x: number) => `${Math.round(x * 100)}%`
const yes = (met: boolean | null | undefined) => (met === null || met === undefined ? '' : met ? 'met' : '**missed**')
const cpu = (api: LoadResult, ref: LoadResult) => (api.cpuUsPerRequest === undefined || ref.cpuUsPerRequest === undefined ? '' : `${n0(api.cpuUsPerRequest)} / ${n0(ref.cpuUsPerRequest)}`)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

export function formatMarkdown(r: Result): string {
  const lines: string[] = []
  lines.push(`### ${r.database}, scale ${r.options.scale} (${r.date.slice(0, 16).replace('T', ' ')} UTC)`)
  lines.push('')
  lines.push(`${r.machine.cpus} × ${r.machine.cpu ?? 'CPU'}, Node ${r.machine.node}; load average ${r.machine.loadBefore[0]} before, ${r.machine.loadAfter[0]} after. ` +
    `${r.options.connections} connections, ${r.options.warmup} s warm-up then ${r.options.duration} s per workload; the reference is the same SQL through a bare pool behind a bare fastify route, run back to back with the API (compiled, as the Docker image runs it).`)
  lines.push('')
  if (r.workloads.length) {
    lines.push('| Workload | API req/s | API p50 / p99 ms | Reference req/s | Ref p50 / p99 ms | Errors | Server CPU µs/req, API / ref | API ÷ reference | Target |')
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
    for (const w of r.workloads) {
      lines.push(`| ${w.title} | ${n0(w.api.rps)} | ${w.api.p50} / ${w.api.p99} | ${n0(w.reference.rps)} | ${w.reference.p50} / ${w.reference.p99} | ${w.api.errors + w.reference.errors} | ${cpu(w.api, w.reference)} | ${pct(w.ratio)} | ${w.target}: ${yes(w.met)} |`)
    }
    if (r.deepPaging) {
      lines.push(`| Deep keyset page ÷ first page (API) | | | | | | | ${pct(r.deepPaging.ratio)} | within 20%: ${yes(r.deepPaging.met)} |`)
    }
    if (r.constant) {
      lines.push(`| Framework ceiling: bare fastify constant route (reference) vs API \`/health/live\` | ${n0(r.constant.api.rps)} | ${r.constant.api.p50} / ${r.constant.api.p99} | ${n0(r.constant.reference.rps)} | ${r.constant.reference.p50} / ${r.constant.reference.p99} | ${r.constant.api.errors + r.constant.reference.errors} | ${cpu(r.constant.api, r.constant.reference)} | ${pct(r.constant.api.rps / r.constant.reference.rps)} | (for scale) |`)
    }
    lines.push('')
    lines.push('Server CPU: user + system time of the server process per request during the measured run (from /proc). On a 2-core machine shared with PostgreSQL and the load generator, throughput follows it closely.')
    lines.push('')
  }
  if (r.imports.length) {
    lines.push('| Import through the API (job, upsert) | Rows | File | Time s | Rows/s | ÷ COPY | ÷ COPY of every row written | Peak RSS MB | Target |')
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
    for (const i of r.imports) {
      const mb = (i.bytes / 1_048_576).toFixed(1)
      const all = (seconds: number) => (i.copyAllSeconds ? `${(seconds / i.copyAllSeconds).toFixed(2)}×` : '')
      lines.push(`| ${i.format.toUpperCase()} first load (COPY: ${i.copySeconds.toFixed(2)} s${i.copyAllSeconds ? `; with audit and events ${i.copyAllSeconds.toFixed(2)} s` : ''}) | ${n0(i.people)} | ${mb} MB | ${i.first.seconds.toFixed(2)} | ${n0(i.people / i.first.seconds)} | ${i.ratio.toFixed(2)}× | ${all(i.first.seconds)} | ${n0(Math.max(i.first.peakRssMb, 0))} | ≤ 2× COPY: ${yes(i.ratio <= 2)}; RSS < 300: ${yes(i.first.peakRssMb < 300)} |`)
      lines.push(`| ${i.format.toUpperCase()} again, nothing changed | ${n0(i.people)} | ${mb} MB | ${i.again.seconds.toFixed(2)} | ${n0(i.people / i.again.seconds)} | ${(i.again.seconds / i.copySeconds).toFixed(2)}× | | ${n0(i.again.peakRssMb)} | faster than first: ${yes(i.again.seconds < i.first.seconds)} |`)
    }
    lines.push('')
    lines.push('COPY of every row written: the people, then the audit record and the change-feed event the import writes for each (same JSON view), each table by COPY — the floor for what an audited import must write.')
    lines.push('')
  }
  if (r.startup) {
    const large = r.startup.existingLargeMs?.length ? `; on the generated ${n0(r.generated.counts.people ?? 0)}-person database ${median(r.startup.existingLargeMs)} ms` : ''
    lines.push(`Startup on the embedded database (spawn until \`/health/ready\` answers 200): first start, creating and migrating it, ${r.startup.firstStartMs} ms; ` +
      `an existing database ${median(r.startup.existingMs)} ms (median of ${r.startup.existingMs.join(', ')})${large}. Target < 2 s: ${yes(median(r.startup.existingMs) < 2000 && (!r.startup.existingLargeMs?.length || median(r.startup.existingLargeMs) < 2000))}. ` +
      `The API runs compiled, as the Docker image runs it${r.startup.existingTsxMs?.length ? `; \`npm start\` (TypeScript compiled on load, for development) takes ${median(r.startup.existingTsxMs)} ms` : ''}.`)
    lines.push('')
  }
  const c = r.generated.counts
  lines.push(`Data: ${Object.entries(c).map(([k, v]) => `${n0(v)} ${k.replace(/_/g, ' ')}`).join(', ')} (generated in ${r.generated.seconds.toFixed(0)} s).` +
    (r.apiMemoryAfterLoad ? ` API resident memory after the load: ${n0(r.apiMemoryAfterLoad.rssMb)} MB (peak ${n0(r.apiMemoryAfterLoad.hwmMb)} MB).` : ''))
  lines.push('')
  return lines.join('\n')
}

// `npx tsx bench/report.ts bench/results/latest-postgres.json` prints a saved run's table again.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatMarkdown(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Result))
}
