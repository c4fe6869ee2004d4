/**
 * `buildApp(config)`: the whole app server as a Fastify instance that never
 * listens. `main.ts` listens; tests use `inject` (fastify/demo's split of
 * src/app.ts and src/server.ts).
 */
import { hostname } from 'node:os';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { errorBody, expandAddressList, REQUEST_ID_HEADER, requestIdFrom } from '@stack/shared';
import Fastify from 'fastify';
import type { DestinationStream } from 'pino';
import type { Manifest } from './collectstatic/index.ts';
import type { Config } from './config.ts';
import entries from './entries/routes.ts';
import health from './health/routes.ts';
import originals from './media/original-route.ts';
import pages from './pages/routes.ts';
import assets from './plugins/assets.ts';
import db from './plugins/db.ts';
import draining from './plugins/draining.ts';
import errors, { sendError } from './plugins/errors.ts';
import media from './plugins/media.ts';
import requestContext, { INSTANCE_ID_HEADER } from './plugins/request-context.ts';
import securityHeaders from './plugins/security-headers.ts';
import { RequestLog } from './request-log.ts';

export interface BuildOptions {
  /** The static set's manifest the pages link assets through (see main.ts). */
  manifest: Manifest;
  /** Where log lines go; stdout by default. Tests pass a stream to read them. */
  logStream?: DestinationStream;
}

export function buildApp(config: Readonly<Config>, options: BuildOptions) {
  const instance = hostname();
  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // Fastify's requestIdHeader would keep any incoming value; the shared
    // rule keeps only well-formed ids, so log lines cannot be forged.
    requestIdHeader: false,
    genReqId: (request) => requestIdFrom(request.headers[REQUEST_ID_HEADER]),
    logController: new RequestLog(),
    // Empty list: trust no one, so X-Forwarded-* from a client changes
    // nothing. https://fastify.dev/docs/latest/Reference/Server/#trustproxy
    // Range names are expanded here so proxy-addr sees only the addresses and
    // CIDRs they mean in @stack/shared, the edge's meaning too.
    trustProxy: config.trustedProxies.length > 0 ? expandAddressList(config.trustedProxies) : false,
    // After the drain, a request still arriving on an open keep-alive
    // connection is served (with `Connection: close`) rather than answered
    // with Fastify's own 503 body, which is not the shared error shape.
    return503OnClosing: false,
    // Requests Fastify rejects before routing (a malformed percent-encoding
    // in the path) skip hooks and the error handler; answer them in the
    // shared shape all the same.
    frameworkErrors: (_error, request, reply) => {
      reply.header(REQUEST_ID_HEADER, request.id).header(INSTANCE_ID_HEADER, instance);
      return sendError(
        request,
        reply,
        errorBody(400, 'bad_request', 'The request URL is not valid.', request.id),
      );
    },
    ajv: {
      // Report every failing field, not only the first. The schemas are
      // small flat objects with bounded strings, so this cannot blow up.
      customOptions: { allErrors: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.register(assets, { manifest: options.manifest });
  app.register(errors);
  app.register(securityHeaders);
  app.register(requestContext, { instance });
  app.register(draining);
  app.register(db, { config });
  app.register(media, { config });
  app.register(health, { version: config.version, instance });
  app.register(entries, { prefix: '/api/entries', maxUploadBytes: config.mediaMaxBytes });
  app.register(pages, { maxUploadBytes: config.mediaMaxBytes });
  app.register(originals);
  return app;
}

export type App = ReturnType<typeof buildApp>;
