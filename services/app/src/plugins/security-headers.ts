import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/**
 * Security headers on every response, HTML first in mind.
 *
 * The CSP allows scripts, styles and images from our own origin only: no
 * inline script (so an injected `<script>` that escaped escaping still does
 * not run) and `frame-ancestors 'none'` against clickjacking, the modern form
 * of `X-Frame-Options` (https://www.w3.org/TR/CSP3/#directive-frame-ancestors).
 * `form-action 'self'` keeps an injected form from posting elsewhere.
 * HSTS is left to whoever terminates TLS in front of the edge: sending it over
 * plain HTTP from here would be ignored at best and wrong behind a misconfigured
 * proxy at worst.
 */
export default fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          // blob: for the preview of an image chosen in the form (static/js/app.js).
          imgSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      strictTransportSecurity: false,
      // Cross-origin isolation headers would break nothing here, but they are
      // a policy decision for the forker, not a default of a template.
      crossOriginEmbedderPolicy: false,
    });
  },
  { name: 'security-headers' },
);
