import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MANIFEST_FILE,
  type Manifest,
  ManifestError,
  parseManifest as parseManifestText,
} from '@stack/shared/static-manifest';
import { CollectstaticError, fsError } from './errors.ts';

export {
  hashedName,
  hashOfName,
  isSafeRelativePath,
  MANIFEST_FILE,
  type Manifest,
  serializeManifest,
} from '@stack/shared/static-manifest';

/**
 * Validates a manifest's text with the contract's parser (`@stack/shared`),
 * as a {@link CollectstaticError} so the CLI prints the one line and exits 1.
 */
export function parseManifest(text: string, source: string): Manifest {
  try {
    return parseManifestText(text, source);
  } catch (error) {
    if (error instanceof ManifestError) throw new CollectstaticError(error.message);
    throw error;
  }
}

/** Reads and validates `dir/manifest.json`; any failure is one line naming the file. */
export async function loadManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fsError('read manifest', path, error);
  }
  return parseManifest(text, path);
}

/**
 * The URL a page uses for a static file: `assetUrl(m, 'css/app.css')` →
 * `/static/css/app.3f9a1c2b.css`. An unknown name throws rather than render a
 * link that 404s, so a typo fails the first test that renders the page.
 */
export function assetUrl(manifest: Manifest, name: string, prefix = '/static/'): string {
  const hashed = Object.hasOwn(manifest.files, name) ? manifest.files[name] : undefined;
  if (hashed === undefined) {
    const known = Object.keys(manifest.files).sort().join(', ');
    throw new CollectstaticError(`unknown static file ${JSON.stringify(name)}; known: ${known}`);
  }
  return `${prefix}${hashed}`;
}
