import type { FieldError } from '../../platform/problems.js'
import type { ElementKind, FrameworkKind, Polarity } from './tables.js'

/** What the tree rules read of an element. */
export interface TreeElement {
  id: string
  parent_id: string | null
  kind: ElementKind
  code: string
  polarity: Polarity
  position: number
}

/** Siblings in order: by position, then code (positions are kept dense, code only breaks ties in bad data). */
const bySiblingOrder = (a: TreeElement, b: TreeElement) => a.position - b.position || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)

/** The children of each parent (`null`: the top level), each list in sibling order. */
export function childrenOf<E extends TreeElement>(elements: readonly E[]): Map<string | null, E[]> {
  const children = new Map<string | null, E[]>()
  for (const e of elements) {
    const list = children.get(e.parent_id) ?? []
    list.push(e)
    children.set(e.parent_id, list)
  }
  for (const list of children.values()) list.sort(bySiblingOrder)
  return children
}

/** Depth first, parents before their children, siblings in order: the order of exports and of copies. */
export function inTreeOrder<E extends TreeElement>(elements: readonly E[]): E[] {
  const children = childrenOf(elements)
  const ordered: E[] = []
  const visit = (parent: string | null) => {
    for (const e of children.get(parent) ?? []) {
      ordered.push(e)
      visit(e.id)
    }
  }
  visit(null)
  return ordered
}

/** Where a competency or value may sit, and where a behaviour may. */
const PARENT_KINDS: Record<ElementKind, ReadonlyArray<ElementKind | null>> = {
  cluster: [null],
  competency: [null, 'cluster'],
  value: [null, 'cluster'],
  behaviour: ['competency', 'value']
}

const article = (kind: string) => (/^[aeiou]/.test(kind) ? 'an' : 'a')

/**
 * Why a tree cannot be published: each problem points at the element by code
 * (`/elements/<code>`). Drafts may be unsound while they are worked on; publishing checks this.
 */
export function unsoundness(frameworkKind: FrameworkKind, elements: readonly TreeElement[]): FieldError[] {
  const errors: FieldError[] = []
  const at = (e: TreeElement | null, detail: string) => errors.push({ in: 'framework', pointer: e ? `/elements/${e.code}` : '/elements', detail })
  const byId = new Map(elements.map((e) => [e.id, e]))
  const children = childrenOf(elements)
  if (!elements.some((e) => e.kind === 'behaviour')) at(null, 'the framework has no behaviour indicator; publish at least one')
  for (const e of inTreeOrder(elements)) {
    const parent = e.parent_id ? byId.get(e.parent_id) ?? null : null
    const allowed = PARENT_KINDS[e.kind]
    if (!allowed.includes(parent ? parent.kind : null)) {
      const where = allowed.map((k) => (k === null ? 'the top level' : `${article(k)} ${k}`)).join(' or ')
      at(e, `${article(e.kind)} ${e.kind} sits ${parent ? `under ${article(parent.kind)} ${parent.kind} (${parent.code})` : 'at the top level'}; it belongs under ${where}`)
    }
    const below = children.get(e.id) ?? []
    if ((e.kind === 'competency' || e.kind === 'value') && !below.some((c) => c.kind === 'behaviour')) {
      at(e, `the ${e.kind} has no behaviour indicators`)
    }
    if (e.kind === 'cluster' && !below.some((c) => c.kind === 'competency' || c.kind === 'value')) at(e, 'the cluster has no competencies or values')
    if (e.polarity === 'negative' && e.kind !== 'behaviour') at(e, `only behaviour indicators may be negative; this is ${article(e.kind)} ${e.kind}`)
    if (frameworkKind === 'values' && e.kind === 'competency') at(e, 'a values framework holds values, not competencies')
    if (frameworkKind === 'competency' && e.kind === 'value') at(e, 'a competency framework holds competencies, not values')
  }
  return errors
}
