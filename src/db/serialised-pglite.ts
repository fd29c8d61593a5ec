import { PGliteDialect, type DatabaseConnection, type Driver, type PGliteDialectConfig } from 'kysely'

/**
 * Kysely's PGlite driver hands every caller the one connection, so a query issued while another
 * request's transaction is open runs inside that transaction, and two transactions overwrite each
 * other's commit handles. A lock around acquire/release gives each transaction (or single query)
 * the connection to itself, as a pool of one would.
 */
class SerialisedDriver implements Driver {
  #queue: Promise<void> = Promise.resolve()
  #release: (() => void) | undefined

  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init()
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void
    const turn = new Promise<void>((resolve) => (release = resolve))
    const previous = this.#queue
    this.#queue = previous.then(() => turn)
    await previous
    this.#release = release
    return this.inner.acquireConnection()
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.inner.releaseConnection(connection)
    const release = this.#release
    this.#release = undefined
    release?.()
  }

  beginTransaction: Driver['beginTransaction'] = (c, s) => this.inner.beginTransaction(c, s)
  commitTransaction: Driver['commitTransaction'] = (c) => this.inner.commitTransaction(c)
  rollbackTransaction: Driver['rollbackTransaction'] = (c) => this.inner.rollbackTransaction(c)
  savepoint: Driver['savepoint'] = (c, n, q) => this.inner.savepoint!(c, n, q)
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (c, n, q) => this.inner.rollbackToSavepoint!(c, n, q)
  releaseSavepoint: Driver['releaseSavepoint'] = (c, n, q) => this.inner.releaseSavepoint!(c, n, q)
  destroy(): Promise<void> {
    return this.inner.destroy()
  }
}

export class SerialisedPGliteDialect extends PGliteDialect {
  constructor(config: PGliteDialectConfig) {
    super(config)
  }

  override createDriver(): Driver {
    return new SerialisedDriver(super.createDriver())
  }
}
