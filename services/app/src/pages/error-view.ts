import type { ErrorBody } from '@stack/shared';
import { html } from 'ghtml';
import { type AssetUrl, layout } from './layout.ts';

const HEADINGS: Record<number, string> = {
  400: 'That request was not understood',
  403: 'That was refused',
  404: 'Page not found',
  413: 'That was too large',
  429: 'Too many requests',
  503: 'Temporarily unavailable',
};

/**
 * The app's HTML error page: the facts of the JSON error body inside the
 * site's layout, so a visitor who mistypes a URL still sees the guestbook's
 * look and a way back.
 */
export function errorPage(body: ErrorBody, asset: AssetUrl): string {
  const heading = HEADINGS[body.statusCode] ?? 'Something went wrong';
  const main = html`<div class="error-page">
<p class="status">${body.statusCode}</p>
<h1>${heading}</h1>
<p>${body.message}</p>
<p>Error code <code>${body.code}</code>. If you report this, quote request id <code>${body.requestId}</code>.</p>
<p><a href="/">Back to the guestbook</a></p>
</div>`;
  return layout({ title: `${body.statusCode} ${heading}`, asset, main });
}
