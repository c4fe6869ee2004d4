import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { useAppOnPostgres } from './helpers/app-on-postgres.ts';
import { withClient } from './helpers/postgres.ts';

const stack = useAppOnPostgres();

interface Page {
  entries: { id: number; author: string }[];
  nextCursor: string | null;
}

async function page(query: string): Promise<Page> {
  const res = await stack.app().inject({ url: `/api/entries${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** Follows nextCursor from the first page to the last; returns every page. */
async function walk(limit: number): Promise<Page[]> {
  const pages = [await page(`?limit=${limit}`)];
  for (let cursor = pages[0]?.nextCursor; cursor; cursor = pages.at(-1)?.nextCursor) {
    pages.push(await page(`?limit=${limit}&cursor=${encodeURIComponent(cursor)}`));
  }
  return pages;
}

/** Inserts `count` entries; in one transaction they all share one created_at. */
async function seed(count: number, options: { sameInstant?: boolean } = {}): Promise<number[]> {
  return withClient(stack.db(), async (client) => {
    const ids: number[] = [];
    if (options.sameInstant) await client.query('BEGIN');
    for (let i = 0; i < count; i += 1) {
      const { rows } = await client.query(
        `INSERT INTO entries (author, message) VALUES ($1, 'm') RETURNING id`,
        [`author ${i}`],
      );
      ids.push(Number(rows[0].id));
    }
    if (options.sameInstant) await client.query('COMMIT');
    return ids;
  });
}

const idsOf = (pages: Page[]) => pages.flatMap((p) => p.entries.map((e) => e.id));

const cursorOf = (inside: string) => Buffer.from(inside).toString('base64url');

/** GETs the HTML page at `cursor`, the way its "Older" link does. */
const htmlPage = (cursor: string) =>
  stack.app().inject({ url: `/?cursor=${cursor}`, headers: { accept: 'text/html' } });

// Well-formed digits whose numbers PostgreSQL cannot take: the first three
// overflowed bigint or the interval arithmetic, the rest sit just past a bound.
const OUT_OF_RANGE = [
  '99999999999999999999.1',
  '1.9999999999999999999',
  '9223372036854775807.1',
  '9007199254740992.1',
  '1.9223372036854775808',
  '1.0',
];

describe('/api/entries keyset pagination (real PostgreSQL 17)', () => {
  beforeEach(async () => {
    await withClient(stack.db(), (client) => client.query('TRUNCATE entries'));
  });

  test('an empty guestbook is one empty page with no cursor', async () => {
    assert.deepEqual(await page(''), { entries: [], nextCursor: null });
  });

  test('the default page holds 20 entries', async () => {
    await seed(21);
    const first = await page('');
    assert.equal(first.entries.length, 20);
    assert.notEqual(first.nextCursor, null);
  });

  test('exactly one page of entries gives no cursor to an empty next page', async () => {
    await seed(5);
    const pages = await walk(5);
    assert.equal(pages.length, 1);
    assert.equal(pages[0]?.entries.length, 5);
    assert.equal(pages[0]?.nextCursor, null);
  });

  test('walking the cursors visits every entry once, newest first, the last page short', async () => {
    const ids = await seed(12);
    const pages = await walk(5);
    assert.deepEqual(
      pages.map((p) => p.entries.length),
      [5, 5, 2],
    );
    assert.equal(pages.at(-1)?.nextCursor, null);
    assert.deepEqual(idsOf(pages), ids.toReversed());
  });

  test('entries sharing one created_at are neither skipped nor repeated at page edges', async () => {
    const ids = await seed(7, { sameInstant: true });
    assert.deepEqual(idsOf(await walk(2)), ids.toReversed());
  });

  test('an entry added while paging does not shift the pages already started', async () => {
    const ids = await seed(4);
    const first = await page('?limit=2');
    await seed(1);
    const second = await page(`?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`);
    assert.deepEqual([...idsOf([first]), ...idsOf([second])], ids.toReversed());
  });

  test('a tampered cursor is 400 validation_failed', async () => {
    await seed(3);
    const first = await page('?limit=1');
    const cursor = Buffer.from(first.nextCursor ?? '', 'base64url').toString();
    const tampered = Buffer.from(`${cursor}x`).toString('base64url');
    const res = await stack.app().inject({ url: `/api/entries?cursor=${tampered}` });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'validation_failed');
  });

  for (const inside of OUT_OF_RANGE) {
    test(`a cursor of ${inside} is 400 on the API and the page, not 500`, async () => {
      const cursor = cursorOf(inside);
      const api = await stack.app().inject({ url: `/api/entries?cursor=${cursor}` });
      assert.equal(api.statusCode, 400, api.body);
      assert.equal(api.json().code, 'validation_failed');
      assert.deepEqual(api.json().fields, [
        { field: '/cursor', message: 'must be a nextCursor this API returned' },
      ]);
      const html = await htmlPage(cursor);
      assert.equal(html.statusCode, 400);
      assert.match(String(html.headers['content-type']), /^text\/html/);
      assert.match(html.body, /invalid_cursor/);
    });
  }

  test('a cursor exactly at the bounds is accepted', async () => {
    const ids = await seed(2);
    const top = cursorOf('9007199254740991.9223372036854775807');
    assert.deepEqual(idsOf([await page(`?cursor=${top}`)]), ids.toReversed());
    assert.deepEqual(idsOf([await page(`?cursor=${cursorOf('0.1')}`)]), []);
    assert.equal((await htmlPage(top)).statusCode, 200);
  });
});
