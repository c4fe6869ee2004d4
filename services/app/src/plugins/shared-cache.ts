import { etag } from 'etag';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import fresh from 'fresh';

/**
 * What the read routes of the JSON API let a shared cache (the edge) do:
 * keep a 200 for a second, then serve it stale for 30 s while one
 * background request refreshes it, or for 10 minutes while the app is down
 * or failing (RFC 5861). One second is nginx's "microcaching": a burst of
 * reads reaches the app once per second per edge worker, and a reader who
 * is not the writer sees a change at most a second late. Browsers get no
 * lifetime (`max-age` is absent), so they revalidate every time.
 */
export const SHARED_CACHE_CONTROL =
  'public, s-maxage=1, stale-while-revalidate=30, stale-if-error=600';

export interface SharedCacheOptions {
  /** The `Cache-Control` a 200 answer to GET or HEAD carries. */
  cacheControl: string;
}

/**
 * For the routes of the plugin that registers it: a strong `ETag` on every
 * 200 to GET or HEAD, the given `Cache-Control`, and a 304 when the
 * request's `If-None-Match` (or `If-Modified-Since`) already names it, as
 * the edge's revalidation sends it. Other statuses get neither: errors say
 * `no-store`, and RFC 9110 §13.2.1 has a server ignore preconditions on an
 * answer that would not be 2xx. Tags are computed from the serialized body
 * (`etag`), preconditions evaluated by `fresh` (lists, weak comparison,
 * `no-cache`), both jshttp's, as Express uses them.
 */
const sharedCache: FastifyPluginAsync<SharedCacheOptions> = async (app, { cacheControl }) => {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode !== 200 || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return payload;
    }
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    const tag = etag(payload);
    reply.header('etag', tag).header('cache-control', cacheControl);
    if (!fresh(request.headers, { etag: tag })) return payload;
    reply.code(304);
    return '';
  });
};

export default fp(sharedCache, { name: 'shared-cache' });
