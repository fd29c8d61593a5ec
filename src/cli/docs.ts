/**
 * `npm run docs`: rewrites the README's generated tables (endpoints, scopes, problem types) from
 * the code, between `<!-- generated:<name> -->` and `<!-- /generated:<name> -->` markers;
 * `--check` fails when the README is behind the code (CI runs it), like `openapi:check`.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { problemCatalogue } from '../platform/problems.js'
import { knownScopes } from '../platform/scopes.js'
import { generateContract } from './openapi.js'

const README = fileURLToPath(new URL('../../README.md', import.meta.url))
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const

interface Operation {
  summary?: string
  security?: Array<Record<string, string[]>>
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function who(security: Operation['security']): string {
  if (!security || security.length === 0) return 'public'
  return security
    .map((requirement) => {
      const [scheme, scopes] = Object.entries(requirement)[0] ?? []
      if (scheme === 'raterToken') return 'rater token (`X-Rater-Token`)'
      if (!scopes || scopes.length === 0) return 'any token (the handler checks the relationship)'
      return scopes.map((s) => `\`${s}\``).join(' and ')
    })
    .join(' or ')
}

export async function generateTables(): Promise<Record<string, string>> {
  const contract = JSON.parse(await generateContract()) as { paths: Record<string, Record<string, Operation>>; security?: unknown }
  const endpoints = Object.entries(contract.paths)
    .flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ path, method: m.toUpperCase(), op: item[m] })))
    .sort((a, b) => a.path.localeCompare(b.path) || METHODS.indexOf(a.method.toLowerCase() as never) - METHODS.indexOf(b.method.toLowerCase() as never))
    .map((e) => `| \`${e.method} ${e.path}\` | ${cell(e.op.summary ?? '')} | ${who(e.op.security)} |`)
  const scopes = [...knownScopes()].map(([name, description]) => `| \`${name}\` | ${cell(description)} |`)
  const problems = [...problemCatalogue()]
    .sort(([a, x], [b, y]) => x.status - y.status || a.localeCompare(b))
    .map(([slug, kind]) => `| \`/problems/${slug}\` | ${kind.status} | ${cell(kind.description)} |`)
  return {
    endpoints: ['| Operation | Summary | Who may call it |', '| --- | --- | --- |', ...endpoints].join('\n'),
    scopes: ['| Scope | Grants |', '| --- | --- |', ...scopes].join('\n'),
    problems: ['| Type | Status | Meaning |', '| --- | --- | --- |', ...problems].join('\n')
  }
}

export function fillReadme(readme: string, tables: Record<string, string>): string {
  let out = readme
  for (const [name, table] of Object.entries(tables)) {
    const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(\\n<!-- /generated:${name} -->)`)
    if (!pattern.test(out)) throw new Error(`README.md has no <!-- generated:${name} --> … <!-- /generated:${name} --> markers`)
    out = out.replace(pattern, (_m, open: string, close: string) => `${open}${table}${close}`)
  }
  return out
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const current = readFileSync(README, 'utf8')
  const wanted = fillReadme(current, await generateTables())
  if (process.argv.includes('--check')) {
    if (current !== wanted) {
      console.error('README.md tables are not what the code generates: run `npm run docs` and commit the result')
      process.exit(1)
    }
    console.log('README.md tables are current')
  } else {
    writeFileSync(README, wanted)
    console.log(`wrote the generated tables in ${README}`)
  }
}
