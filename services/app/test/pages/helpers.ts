/**
 * A visitor for in-process page tests: keeps the CSRF cookie like a browser
 * and reads the token out of the page's form, so tests post exactly what a
 * browser would.
 */
import assert from 'node:assert/strict';
import type { App } from '../../src/app.ts';

export interface Visitor {
  cookies: Record<string, string>;
  /** The CSRF token of the last page seen. */
  token: string;
}

export function newVisitor(): Visitor {
  return { cookies: {}, token: '' };
}

function keepCookies(visitor: Visitor, cookies: { name: string; value: string }[]): void {
  for (const { name, value } of cookies) visitor.cookies[name] = value;
}

/** GETs a page as `visitor`, remembering its cookie and form token. */
export async function visit(app: App, visitor: Visitor, url = '/') {
  const res = await app.inject({
    method: 'GET',
    url,
    headers: { accept: 'text/html' },
    cookies: visitor.cookies,
  });
  keepCookies(visitor, res.cookies);
  const token = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
  if (token) visitor.token = token;
  return res;
}

/** POSTs a urlencoded form as `visitor`, with its token unless `fields` sets `_csrf`. */
export async function submit(
  app: App,
  visitor: Visitor,
  url: string,
  fields: Record<string, string> = {},
) {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    cookies: visitor.cookies,
    payload: new URLSearchParams({ _csrf: visitor.token, ...fields }).toString(),
  });
  keepCookies(visitor, res.cookies);
  return res;
}

/** The ids of the entries listed on a page, in order. */
export function listedIds(html: string): number[] {
  return [...html.matchAll(/<li class="entry" id="entry-(\d+)">/g)].map((m) => Number(m[1]));
}

export function olderLink(html: string): string | undefined {
  const href = /<a href="([^"]+)" rel="next">/.exec(html)?.[1];
  return href?.replaceAll('&#38;', '&').replaceAll('&amp;', '&');
}

export function assertHtml(
  res: { statusCode: number; headers: Record<string, unknown> },
  status: number,
) {
  assert.equal(res.statusCode, status);
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
}
