/**
 * The guestbook form with its file input, as a browser without script posts
 * it (multipart, CSRF token in the body): the image is stored and listed;
 * a refused file is said beside the input, the text kept, nothing stored;
 * the sweeper deletes an old file no entry names and keeps the rest.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { useAppOnPostgres } from '../helpers/app-on-postgres.ts';
import { attackFiles, pngWithGps } from '../helpers/images.ts';
import { type FilePart, multipart } from '../helpers/multipart.ts';
import { newVisitor, type Visitor, visit } from '../pages/helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'media-form-'));
after(() => rmSync(root, { recursive: true, force: true }));

const files = (dir: string) =>
  readdirSync(
    join(
      root,
      dir === '.tmp' ? dir : dir === 'originals' ? 'protected/originals' : `public/${dir}`,
    ),
  );

describe('the form with an image', () => {
  const ctx = useAppOnPostgres({ env: { APP_MEDIA_ROOT: root } });

  async function postForm(visitor: Visitor, image: FilePart) {
    const body = multipart({ _csrf: visitor.token, author: 'Cy', message: 'hello', image });
    return ctx.app().inject({
      method: 'POST',
      url: '/entries',
      headers: { ...body.headers, accept: 'text/html' },
      cookies: visitor.cookies,
      payload: body.payload,
    });
  }

  test('the form is multipart with a file input limited to the accepted types', async () => {
    const page = await visit(ctx.app(), newVisitor());
    assert.match(
      page.body,
      /<form method="post" action="\/entries" enctype="multipart\/form-data"/,
    );
    assert.match(page.body, /<input type="file" id="image" name="image" accept="image\/png,/);
  });

  test('a posted image is stored and shown in the list', async () => {
    const visitor = newVisitor();
    await visit(ctx.app(), visitor);
    const data = await pngWithGps(64, 48);
    const res = await postForm(visitor, { filename: 'me.png', type: 'image/png', data });
    assert.equal(res.statusCode, 303, res.body);
    const page = await visit(ctx.app(), visitor);
    assert.match(
      page.body,
      /<img src="\/media\/thumbs\/[0-9a-f]{64}\.webp" width="64" height="48"/,
    );
    assert.equal(files('images').length, 1);
  });

  test('without a token the post is refused and nothing is stored', async () => {
    const visitor = newVisitor();
    await visit(ctx.app(), visitor);
    visitor.token = 'forged';
    const data = await pngWithGps(10, 10);
    const res = await postForm(visitor, { filename: 'x.png', type: 'image/png', data });
    assert.equal(res.statusCode, 403);
    assert.equal(files('images').length, 1);
    assert.deepEqual(files('.tmp'), []);
  });

  test('an SVG is refused beside the file input, the text kept', async () => {
    const visitor = newVisitor();
    await visit(ctx.app(), visitor);
    const svg = attackFiles(1024).find((attack) => attack.file.filename.endsWith('.svg'));
    assert.ok(svg);
    const res = await postForm(visitor, svg.file);
    assert.equal(res.statusCode, 415);
    assert.match(res.body, /<p class="field-error" id="image-error">[^<]*SVG is refused/);
    assert.match(res.body, /value="Cy"/);
    assert.equal(files('images').length, 1);
  });

  test('the sweeper deletes old files no entry names, and only those', async () => {
    const orphan = join(root, 'public/images', `${'0'.repeat(64)}.png`);
    const fresh = join(root, 'public/images', `${'1'.repeat(64)}.png`);
    writeFileSync(orphan, 'x');
    writeFileSync(fresh, 'x');
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(orphan, old, old);
    for (const dir of ['public/images', 'public/thumbs', 'protected/originals']) {
      for (const name of readdirSync(join(root, dir))) {
        if (!name.startsWith('1')) utimesSync(join(root, dir, name), old, old);
      }
    }
    const removed = await ctx.app().sweepMedia();
    assert.deepEqual(removed, [`images/${'0'.repeat(64)}.png`]);
    assert.equal(files('images').length, 2, 'the listed image and the fresh file stay');
  });
});
