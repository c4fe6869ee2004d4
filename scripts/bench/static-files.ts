/**
 * The files the static rows serve (HTTP/1.1 and h2 alike), under
 * `base/static`, with the edge's manifest so it holds them in its table.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import {
  hashedName,
  MANIFEST_FILE,
  parseManifest,
  serializeManifest,
} from '@stack/shared/static-manifest';

// Named as collectstatic names them: the edge loads its table only from a
// manifest that holds to that contract, and serves from disk otherwise.
const SOURCES = { one: 'bench/one.css', hundred: 'bench/hundred.js', zipped: 'bench/app.css' };
export const ONE = hashedName(SOURCES.one, '0a1b2c3d');
export const HUNDRED = hashedName(SOURCES.hundred, '0a1b2c3e');
export const ZIPPED = hashedName(SOURCES.zipped, '0a1b2c3f');

/** The files every target serves, under `base/static`, and the edge's manifest. */
export function writeFiles(base: string): void {
  const files: Record<string, Buffer> = {
    [ONE]: Buffer.from(`${'.a{color:#123}\n'.repeat(68)}/*${'x'.repeat(1024 - 68 * 15 - 4)}*/`),
    [HUNDRED]: Buffer.from(
      `${'console.log("hundred kibibytes");\n'.repeat(3200)}`.slice(0, 102_400),
    ),
    [ZIPPED]: Buffer.from(`${'.card{margin:0 auto;padding:1rem;color:#333}\n'.repeat(700)}`),
  };
  for (const [rel, bytes] of Object.entries(files)) {
    const path = join(base, 'static', rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, bytes);
  }
  const zipped = files[ZIPPED] as Buffer;
  writeFileSync(join(base, 'static', `${ZIPPED}.gz`), gzipSync(zipped, { level: 9 }));
  writeFileSync(
    join(base, 'static', `${ZIPPED}.br`),
    brotliCompressSync(zipped, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
  const manifest = serializeManifest({
    version: 1,
    files: { [SOURCES.one]: ONE, [SOURCES.hundred]: HUNDRED, [SOURCES.zipped]: ZIPPED },
  });
  // Refused here rather than by the edge, which would quietly serve from disk.
  parseManifest(manifest, 'the bench manifest');
  writeFileSync(join(base, 'static', MANIFEST_FILE), manifest);
  // nginx's worker runs as nobody: it must be able to read the tree.
  execFileSync('chmod', ['-R', 'a+rX', base]);
}
