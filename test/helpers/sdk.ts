import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from '../sdk/schema.js'
import type { TestContext } from './app.js'

export type Client = ReturnType<typeof createClient<paths>>

/**
 * Puts the test app on a real socket (loopback, any free port) and makes clients of the SDK
 * generated from the committed contract: `clientWith(token)` sends it as a bearer token.
 */
export async function sdkFor(ctx: TestContext) {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  const address = ctx.app.server.address()
  if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port')
  const baseUrl = `http://127.0.0.1:${address.port}`
  const bearer = (token: string): Middleware => ({
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${token}`)
      return request
    }
  })
  const clientWith = (token: string): Client => {
    const client = createClient<paths>({ baseUrl })
    client.use(bearer(token))
    return client
  }
  return { baseUrl, clientWith, anonymous: createClient<paths>({ baseUrl }) }
}
