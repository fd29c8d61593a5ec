import fc from 'fast-check'
import type { OpenApiDocument } from './contract.js'

type Schema = Record<string, any>

/** Strings a hostile caller sends: injections, control characters, odd unicode, paths, formulas. */
export const HOSTILE_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE people; --",
  '" OR ""="',
  '1; SELECT pg_sleep(10)',
  "$$; select 1; $$",
  '\\',
  '\\u0000',
  '\u0000',
  'nul\u0000byte',
  '\ud800',
  '\udfff\ud800',
  '\u202eevil',
  '\ufeff',
  '😀'.repeat(50),
  'ｔｅｓｔ',
  'e\u0301\u0301\u0301\u0301',
  '{"$gt": ""}',
  '{"__proto__": {"admin": true}}',
  '__proto__',
  'constructor',
  'prototype',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '/etc/shadow',
  'file:///etc/passwd',
  '%2e%2e%2f%2e%2e%2f',
  '<script>alert(1)</script>',
  '=HYPERLINK("http://x","y")',
  '+1+1',
  '-2+3',
  '@SUM(A1)',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '9'.repeat(400),
  'null',
  'true',
  '',
  ' ',
  '\n\r\t',
  'a'.repeat(10_000),
  'x'.repeat(300_000)
]

export const HOSTILE_NUMBERS = [-1, 0, -0, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, 5e-324, 123456789012345680000]

/** Values of every JSON type, some large or deep, for "wrong type" mutations. */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(...HOSTILE_NUMBERS),
    fc.constantFrom(true, false, null, [], {}, [null], { '': '' }, [[[]]]),
    fc.constantFrom(deep(200, 'object'), deep(200, 'array'), deep(20, 'object')),
    fc.constant(Array.from({ length: 20_000 }, (_, i) => i)),
    fc.constant(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))),
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.jsonValue({ maxDepth: 3 })
  )
}

/** JSON text nested `depth` deep (JSON.stringify itself gives up at a few thousand levels). */
export const deepJson = (depth: number, kind: 'object' | 'array') =>
  kind === 'object' ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + '1' + ']'.repeat(depth)

export function deep(depth: number, kind: 'object' | 'array'): unknown {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = kind === 'object' ? { a: value } : [value]
  return value
}

/** Generates values valid against a JSON schema of the contract (refs resolved in `doc`). */
export class SchemaArbitraries {
  constructor(private readonly doc: OpenApiDocument) {}

  resolve(schema: Schema): Schema {
    let s = schema
    for (let i = 0; i < 20 && s && typeof s.$ref === 'string'; i++) {
      const name = s.$ref.replace('#/components/schemas/', '')
      s = (this.doc.components?.schemas?.[name] ?? {}) as Schema
    }
    return s ?? {}
  }

  valid(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
    if (!schema || typeof schema !== 'object') return fc.constant(undefined)
    const s = this.resolve(schema as Schema)
    if (depth > 6) return fc.constant(null)
    if ('const' in s) return fc.constant(s.const)
    if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum)
    if (Array.isArray(s.anyOf)) return fc.oneof(...s.anyOf.map((b: Schema) => this.valid(b, depth + 1)))
    if (Array.isArray(s.oneOf)) return fc.oneof(...s.oneOf.map((b: Schema) => this.valid(b, depth + 1)))
    if (Array.isArray(s.allOf)) {
      const merged: Schema = { type: 'object', properties: {}, required: [] }
      for (const part of s.allOf.map((p: Schema) => this.resolve(p))) {
        Object.assign(merged.properties, part.properties ?? {})
        merged.required.push(...(part.required ?? []))
      }
      return this.valid(merged, depth + 1)
    }
    const type = Array.isArray(s.type) ? s.type : s.type ? [s.type] : undefined
    if (type && type.length > 1) return fc.oneof(...type.map((t: string) => this.valid({ ...s, type: t }, depth + 1)))
    switch (type?.[0]) {
      case 'string':
        return this.string(s)
      case 'integer':
        return fc.integer({ min: Math.ceil(s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000)), max: Math.floor(s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 100_000)) })
      case 'number':
        return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true })
      case 'boolean':
        return fc.boolean()
      case 'null':
        return fc.constant(null)
      case 'array': {
        const items = this.valid(s.items ?? {}, depth + 1)
        const minLength = s.minItems ?? 0
        const maxLength = Math.max(minLength, Math.min(s.maxItems ?? 4, minLength + 4))
        return s.uniqueItems ? fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) }) : fc.array(items, { minLength, maxLength })
      }
      case 'object':
        return this.object(s, depth)
      default:
        if (s.properties) return this.object(s, depth)
        return fc.jsonValue({ maxDepth: 2 })
    }
  }

  object(s: Schema, depth: number): fc.Arbitrary<unknown> {
    const properties = (s.properties ?? {}) as Record<string, Schema>
    const required = new Set<string>(s.required ?? [])
    const shape: Record<string, fc.Arbitrary<unknown>> = {}
    for (const [name, prop] of Object.entries(properties)) shape[name] = this.valid(prop, depth + 1)
    return fc.record(shape, { requiredKeys: [...required].filter((k) => k in shape) })
  }

  string(s: Schema): fc.Arbitrary<string> {
    const min = s.minLength ?? 0
    const max = Math.max(min, Math.min(s.maxLength ?? 40, min + 40))
    switch (s.format) {
      case 'uuid':
        return fc.uuid()
      case 'date':
        return fc.date({ min: new Date('1990-01-01'), max: new Date('2060-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
      case 'date-time':
        return fc.date({ min: new Date('1990-01-01'), max: new Date('2060-12-31'), noInvalidDate: true }).map((d) => d.toISOString())
      case 'email':
        return fc.emailAddress().filter((e) => e.length <= (s.maxLength ?? 320))
      case 'uri':
      case 'url':
        return fc.webUrl()
    }
    if (s.pattern) {
      try {
        return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity))
      } catch {
        // an ECMA-incompatible pattern: fall through to plain strings
      }
    }
    return fc.string({ minLength: min, maxLength: max, unit: fc.constantFrom(...Array.from('abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789-_.éß中😀')) })
  }
}
