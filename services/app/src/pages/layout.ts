import { html } from 'ghtml';

/** Resolves a source asset name (`css/app.css`) to its hashed URL. */
export type AssetUrl = (name: string) => string;

export interface LayoutInput {
  title: string;
  asset: AssetUrl;
  /** Already-rendered (and escaped) HTML for `<main>`. */
  main: string;
}

/**
 * The page shell. Every asset goes through `asset()`, so the HTML names the
 * content-hashed files the edge serves `immutable`; the script is an external
 * module (deferred) because the CSP allows no inline script.
 */
export function layout({ title, asset, main }: LayoutInput): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<meta name="description" content="A guestbook served by a Fastify app behind a Fastify edge.">
<link rel="icon" href="${asset('favicon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${asset('css/app.css')}">
<script type="module" src="${asset('js/app.js')}"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><div class="container">
<a class="brand" href="/"><img src="${asset('img/logo.svg')}" alt="" width="32" height="32"><span>Guestbook</span></a>
</div></header>
<main id="main" class="container">
!${main}
</main>
<footer class="site-footer"><div class="container"><p>Pages from the app, static files from the edge.</p></div></footer>
</body>
</html>
`;
}
