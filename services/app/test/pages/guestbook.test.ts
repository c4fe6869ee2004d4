import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useAppOnPostgres } from '../helpers/app-on-postgres.ts';
import { assertHtml, listedIds, newVisitor, olderLink, submit, visit } from './helpers.ts';

const { app: server } = useAppOnPostgres();

async function apiCount(): Promise<number> {
  const res = await server().inject({ url: '/api/entries?limit=100' });
  return res.json().entries.length;
}

describe('the guestbook pages (real PostgreSQL 17)', () => {
  test('an empty guestbook says so and offers the form', async () => {
    const res = await visit(server(), newVisitor());
    assertHtml(res, 200);
    assert.match(res.body, /No entries yet/);
    assert.match(res.body, /<form method="post" action="\/entries"/);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  test('posting redirects with 303 to the list, which shows the entry and a thank-you', async () => {
    const visitor = newVisitor();
    await visit(server(), visitor);
    const posted = await submit(server(), visitor, '/entries', {
      author: '  Grace ',
      message: 'Hello from a form',
    });
    assert.equal(posted.statusCode, 303);
    const location = String(posted.headers.location);
    assert.match(location, /^\/\?posted=1#entry-\d+$/);
    const page = await visit(server(), visitor, location.split('#')[0]);
    assertHtml(page, 200);
    assert.match(page.body, /Thank you, your entry is posted/);
    assert.match(page.body, /<span class="entry-author">Grace<\/span>/);
    assert.match(page.body, /Hello from a form/);
  });

  test('invalid input re-renders the form with 422, the messages and what was typed', async () => {
    const visitor = newVisitor();
    await visit(server(), visitor);
    const before = await apiCount();
    const long = 'x'.repeat(2001);
    const res = await submit(server(), visitor, '/entries', { author: '   ', message: long });
    assertHtml(res, 422);
    assert.match(res.body, /Please enter your name\./);
    assert.match(res.body, /Your message can be at most 2000 characters\./);
    assert.match(res.body, /aria-invalid="true" aria-describedby="author-error"/);
    assert.ok(res.body.includes(`>${long}</textarea>`), 'the typed message is kept');
    assert.equal(await apiCount(), before, 'nothing was written');
  });

  test('an entry containing markup is shown as text, never as markup', async () => {
    const visitor = newVisitor();
    await visit(server(), visitor);
    const res = await submit(server(), visitor, '/entries', {
      author: '"><img src=x onerror=alert(1)>',
      message: '<script>alert("pwned")</script>',
    });
    assert.equal(res.statusCode, 303);
    const page = await visit(server(), visitor);
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.doesNotMatch(page.body, /<img src=x/);
    assert.match(page.body, /&#60;script&#62;alert\(&#34;pwned&#34;\)&#60;\/script&#62;/);
  });

  test('delete removes the entry and lands back on the list', async () => {
    const visitor = newVisitor();
    await visit(server(), visitor);
    const created = await server().inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author: 'Temp', message: 'to be deleted' },
    });
    const { id } = created.json();
    await visit(server(), visitor);
    const res = await submit(server(), visitor, `/entries/${id}/delete`);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/');
    const gone = await server().inject({ url: `/api/entries/${id}` });
    assert.equal(gone.statusCode, 404);
    const again = await submit(server(), visitor, `/entries/${id}/delete`);
    assert.equal(again.statusCode, 303, 'deleting twice is harmless');
  });

  test('pages hold 20 entries, newest first, with links to older entries and back', async () => {
    for (let i = 0; i < 25; i++) {
      await server().inject({
        method: 'POST',
        url: '/api/entries',
        payload: { author: `Bulk ${i}`, message: `entry ${i}` },
      });
    }
    const visitor = newVisitor();
    const first = await visit(server(), visitor);
    const firstIds = listedIds(first.body);
    assert.equal(firstIds.length, 20);
    assert.deepEqual(
      firstIds,
      [...firstIds].sort((a, b) => b - a),
    );
    assert.match(first.body, /<span>← Newest<\/span>/, 'no link back on the first page');
    const older = olderLink(first.body);
    assert.ok(older, 'an older-entries link');
    const second = await visit(server(), visitor, older);
    assertHtml(second, 200);
    const secondIds = listedIds(second.body);
    assert.ok(secondIds.length > 0);
    assert.ok(Math.max(...secondIds) < Math.min(...firstIds), 'strictly older entries');
    assert.match(second.body, /<a href="\/" rel="prev">← Newest<\/a>/);
  });

  test('a forged page link answers a 400 page, not a server error', async () => {
    const res = await visit(server(), newVisitor(), '/?cursor=bm90LWEtY3Vyc29y');
    assertHtml(res, 400);
    assert.match(res.body, /invalid_cursor/);
  });
});
