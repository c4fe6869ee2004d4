/**
 * Which request targets the edge answers itself (the root README,
 * "Contracts between the containers"); everything else is the app's.
 */
import { MEDIA_PREFIX } from './media/representation.ts';
import { EDGE_PREFIX } from './plugins/errors.ts';
import { PROTECTED_PREFIX } from './proxy/accel.ts';
import { STATIC_PREFIX } from './static/request-path.ts';

/** Paths the edge answers itself; everything else belongs to the app. */
export function edgeOwns(media: boolean): (url: string) => boolean {
  return (url) =>
    // Not origin-form (`*`, an absolute URL): never proxied; Fastify answers 404/400.
    url.charCodeAt(0) !== 47 ||
    url.startsWith(STATIC_PREFIX) ||
    url.startsWith(EDGE_PREFIX) ||
    // Reserved for X-Accel-Redirect (proxy/accel.ts): a client asking gets 404.
    url.startsWith(PROTECTED_PREFIX) ||
    (media && url.startsWith(MEDIA_PREFIX));
}
