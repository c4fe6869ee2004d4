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

async function forms(app: FastifyInstance) {
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
  await app.register(csrf, {
    // `secure: 'auto'` follows request.protocol, which believes
    // X-Forwarded-Proto only from trusted proxies: Secure behind TLS, still
    // usable over plain http in development. SameSite=Strict keeps the cookie
    // off every cross-site request, the first line against CSRF.
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: 'auto' },
  });
}

export default fp(forms, { name: 'forms', fastify: '5.x' });
