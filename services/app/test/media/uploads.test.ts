/**
 * Uploads through the JSON API, in process on a real PostgreSQL: the stored
 * image is re-encoded without its EXIF, named by its hash, with a
 * thumbnail; every attack file is refused with its status and leaves no
 * file and no row; deleting the entry deletes its files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { useAppOnPostgres } from '../helpers/app-on-postgres.ts';
import { attackFiles, pngWithGps } from '../helpers/images.ts';
import { multipart } from '../helpers/multipart.ts';

const MAX_BYTES = 256 * 1024;
const pngWithGpsBytes = pngWithGps(640, 480);
const root = mkdtempSync(join(tmpdir(), 'media-'));
after(() => rmSync(root, { recursive: true, force: true }));

function storedFiles(): string[] {
  return ['public/images', 'public/thumbs', 'protected/originals', '.tmp'].flatMap((dir) => {
    try {
      return readdirSync(join(root, dir)).map((name) => `${dir}/${name}`);
    } catch {
      return [];
    }
  });
}

describe('uploads through the API', () => {
  const ctx = useAppOnPostgres({
    env: { APP_MEDIA_ROOT: root, APP_MEDIA_MAX_BYTES: String(MAX_BYTES) },
  });

  async function post(image: { filename: string; type: string; data: Buffer }) {
    return ctx.app().inject({
      method: 'POST',
      url: '/api/entries',
      ...multipart({ author: 'Ada', message: 'with a picture', image }),
    });
  }

  test('a PNG is stored re-encoded, without EXIF, under its hash, with a thumbnail', async () => {
    const uploaded = await pngWithGpsBytes;
    assert.ok((await sharp(uploaded).metadata()).exif, 'the fixture carries EXIF');
    const res = await post({
      filename: '..\\..\\<img src=x onerror=alert(1)>.png',
      type: 'image/png',
      data: uploaded,
    });
    assert.equal(res.statusCode, 201, res.body);
    const { image } = res.json();
    assert.match(image.url, /^\/media\/images\/[0-9a-f]{64}\.png$/);
    assert.match(image.thumbnail.url, /^\/media\/thumbs\/[0-9a-f]{64}\.webp$/);
    assert.deepEqual([image.type, image.width, image.height], ['image/png', 640, 480]);
    assert.deepEqual([image.thumbnail.width, image.thumbnail.height], [320, 240]);
    assert.equal(
      image.name,
      '<img src=x onerror=alert(1)>.png',
      'no directories, kept as metadata',
    );
    const stored = readFileSync(join(root, 'public', image.url.slice('/media/'.length)));
    const meta = await sharp(stored).metadata();
    assert.equal(meta.exif, undefined, 'EXIF (GPS, serial) stripped');
    assert.ok(!stored.includes('Secret-Serial-1234'));
    assert.deepEqual(
      storedFiles().filter((f) => f.startsWith('.tmp/')),
      [],
      'no temporary left',
    );

    const page = await ctx
      .app()
      .inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    assert.ok(page.body.includes(`src="${image.thumbnail.url}"`), 'the list shows the thumbnail');
    assert.ok(page.body.includes('&#60;img src&#61;x onerror&#61;alert(1)&#62;.png'), 'escaped');
    assert.ok(!page.body.includes('<img src=x'));

    const id = res.json().id;
    // The original: only with the key from the 201, sent by the edge (X-Accel-Redirect).
    const { originalUrl } = res.json();
    assert.match(originalUrl, new RegExp(`^/entries/${id}/original\\?key=[A-Za-z0-9_-]{32}$`));
    const granted = await ctx.app().inject({ url: originalUrl });
    assert.equal(granted.statusCode, 200);
    const accel = String(granted.headers['x-accel-redirect']);
    assert.match(accel, /^\/_protected\/originals\/[0-9a-f]{64}\.png$/);
    assert.equal(granted.headers['content-type'], 'image/png');
    assert.match(String(granted.headers['content-disposition']), /^attachment; filename="/);
    assert.equal(granted.body, '', "the bytes are the edge's to send");
    const original = readFileSync(join(root, 'protected', accel.slice('/_protected/'.length)));
    assert.deepEqual(original, uploaded, 'the original is the upload, byte for byte');
    for (const url of [`/entries/${id}/original`, `/entries/${id}/original?key=wrong`]) {
      const refused = await ctx.app().inject({ url });
      assert.equal(refused.statusCode, 404, url);
      assert.equal(refused.headers['x-accel-redirect'], undefined);
    }
    const listed = await ctx.app().inject({ url: `/api/entries/${id}` });
    assert.equal(listed.json().originalUrl, undefined, 'the link is in the 201 only');
    assert.ok(!listed.body.includes(originalUrl.split('key=')[1]));

    const gone = await ctx.app().inject({ method: 'DELETE', url: `/api/entries/${id}` });
    assert.equal(gone.statusCode, 204);
    assert.deepEqual(storedFiles(), [], 'deleting the entry deleted its files');
  });

  for (const attack of attackFiles(MAX_BYTES)) {
    test(`${attack.what}: ${attack.status} ${attack.code}, nothing stored`, async () => {
      const before = (await ctx.app().inject({ url: '/api/entries' })).json().entries.length;
      const res = await post(attack.file);
      assert.equal(res.statusCode, attack.status, res.body);
      assert.equal(res.json().code, attack.code);
      assert.ok(res.json().message.length > 10, 'the reason is said');
      assert.deepEqual(storedFiles(), []);
      const afterwards = (await ctx.app().inject({ url: '/api/entries' })).json().entries.length;
      assert.equal(afterwards, before, 'no row');
    });
  }

  test('a valid PNG with HTML appended is stored without the payload', async () => {
    const data = Buffer.concat([await pngWithGps(32, 32), Buffer.from('<script>x()</script>')]);
    const res = await post({ filename: 'a.png', type: 'image/png', data });
    assert.equal(res.statusCode, 201, res.body);
    const stored = readFileSync(join(root, 'public', res.json().image.url.slice('/media/'.length)));
    assert.ok(!stored.includes('<script>'));
    await ctx.app().inject({ method: 'DELETE', url: `/api/entries/${res.json().id}` });
  });

  test('JSON without an image still works, image null', async () => {
    const res = await ctx.app().inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author: 'Bo', message: 'text only' },
    });
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().image, null);
  });
});
