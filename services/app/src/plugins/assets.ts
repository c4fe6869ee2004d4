/**
 * `app.asset('css/app.css')` → `/static/css/app.3f9a1c2b.css`: pages name the
 * hashed files of the manifest this build was made with, which the edge
 * serves `immutable` from the collected set.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { assetUrl, type Manifest } from '../collectstatic/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    asset(name: string): string;
  }
}

async function assets(app: FastifyInstance, options: { manifest: Manifest }) {
  const { manifest } = options;
  // Resolved once per name: a page asks for the same few names on every render.
  const urls = new Map<string, string>();
  app.decorate('asset', (name: string) => {
    let url = urls.get(name);
    if (url === undefined) {
      url = assetUrl(manifest, name);
      urls.set(name, url);
    }
    return url;
  });
}

export default fp(assets, { name: 'assets', fastify: '5.x' });
