/**
 * What every page plugin with a form registers first: cookies, urlencoded
 * bodies and CSRF tokens. Wrapped with fastify-plugin, so they land in the
 * scope of the page plugin that registers this and nowhere else (the JSON
 * API takes no form bodies). Every instance reads and writes the same `_csrf`
 * cookie, so a token from one page's form is good on another's.
 */
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

// A form is a few KiB at most; a larger body is not a post from our pages.
const FORM_BODY_LIMIT = 16 * 1024;

/**
 * Every cookie these pages set. `secure: 'auto'` is `request.protocol ===
 * 'https'` in @fastify/cookie, and Fastify believes `X-Forwarded-Proto`
 * only from a peer in APP_TRUSTED_PROXIES: Secure when the visitor came
 * over HTTPS (to the edge's TLS port), not over plain http (development,
 * the edge's http port), where a browser would refuse to send it back.
 * SameSite=Strict keeps the cookie off every cross-site request, the first
 * line against CSRF; HttpOnly keeps it from scripts. No `__Host-` prefix:
 * a browser drops such a cookie without Secure, so it would break the
 * plain-http case; `Path=/` and no `Domain` already make it host-only.
 */
export const COOKIE_OPTIONS = {
  path: '/',
  sameSite: 'strict',
  httpOnly: true,
  secure: 'auto',
} as const;

async function forms(app: FastifyInstance) {
  // parseOptions are the defaults of every reply.setCookie in this scope.
  await app.register(cookie, { parseOptions: COOKIE_OPTIONS });
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
  // csrf-protection passes its own defaults to setCookie: name ours again.
  await app.register(csrf, { cookieOpts: COOKIE_OPTIONS });
}

export default fp(forms, { name: 'forms', fastify: '5.x' });
