/**
 * The functions a `--cpu-prof` profile spent its time in, self and inclusive, by function and file,
 * as shares of the busy time (idle samples left out: a bench API waits while the reference runs).
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx src/server.ts   (load it, stop it)
 *   npx tsx bench/cpuprofile-top.ts /tmp/prof/<file>.cpuprofile [rows]
 */
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount: number
  children?: number[]
}
const profile = JSON.parse(readFileSync(process.argv[2], 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] }
const rows = Number(process.argv[3] ?? 40)
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '~/').replace(/^file:\/\/.*\/(src|bench)\//, '$1/')}:${n.callFrame.lineNumber + 1}`
const busy = profile.samples.filter((id) => byId.get(id)!.callFrame.functionName !== '(idle)')
const total = busy.length
const self = new Map<string, number>()
const inclusive = new Map<string, number>()
const pkgSelf = new Map<string, number>()
for (const id of busy) {
  const n = byId.get(id)!
  self.set(label(n), (self.get(label(n)) ?? 0) + 1)
  const url = n.callFrame.url
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/src/') ? 'pathway src' : url.startsWith('node:') ? 'node core' : n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : url || 'native')
  pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + 1)
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!)
    if (seen.has(l)) continue
    seen.add(l)
    inclusive.set(l, (inclusive.get(l) ?? 0) + 1)
  }
}
const show = (title: string, m: Map<string, number>, k: number) => {
  console.log(`\n${title}`)
  for (const [name, count] of [...m].sort((a, b) => b[1] - a[1]).slice(0, k)) console.log(`${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`)
}
console.log(`busy: ${((100 * total) / profile.samples.length).toFixed(1)}% of ${profile.samples.length} samples`)
show('self time by package', pkgSelf, 20)
show('self time by function', self, rows)
show('inclusive time by function', inclusive, rows)
