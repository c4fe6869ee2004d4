import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import {
  contentHash,
  decompress,
  isCompressible,
  precompress,
  SIBLING_SUFFIXES,
} from './compress.ts';
import { CollectstaticError, fsError } from './errors.ts';
import {
  hashedName,
  hashOfName,
  isSafeRelativePath,
  loadManifest,
  MANIFEST_FILE,
  type Manifest,
  serializeManifest,
} from './manifest.ts';

/**
 * A hashed asset set in memory: the manifest, and every file it brings
 * (hashed files and their `.br`/`.gz` siblings) by path relative to the set's
 * root. `files` iterates in sorted order, so whatever writes it does the same
 * thing each time.
 */
export interface StaticSet {
  readonly manifest: Manifest;
  readonly files: ReadonlyMap<string, Buffer>;
}

/** Source files that are documentation or editor/OS litter, never assets. */
function isIgnoredSource(relativePath: string): boolean {
  const segments = relativePath.split('/');
  const base = segments.at(-1) ?? '';
  return segments.some((segment) => segment.startsWith('.')) || base === 'README.md';
}

// Matches url(...) and @import "..." targets in CSS. Comments are not
// stripped first, so a commented-out url() is reported too: harmless.
const CSS_REFERENCE = /url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3/g;

/**
 * Django's ManifestStaticFilesStorage rewrites `url(...)` in CSS to hashed
 * names; this pipeline does not (one stylesheet, images referenced from HTML
 * through the manifest), so a relative reference would point at an unhashed
 * file the edge does not have. Refuse it at build time instead of shipping a
 * broken link.
 */
function checkCssReferences(name: string, bytes: Buffer): void {
  for (const match of bytes.toString('utf8').matchAll(CSS_REFERENCE)) {
    const target = match[2] ?? match[4] ?? '';
    if (/^(data:|https?:|#)/i.test(target)) continue;
    throw new CollectstaticError(
      `${name}: reference ${JSON.stringify(target)} would not be rewritten to a hashed name; use a data: URL or reference the file from HTML through the manifest`,
    );
  }
}

async function listSources(sourceDir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(sourceDir, { recursive: true, withFileTypes: true });
  } catch (error) {
    throw fsError('read static sources in', sourceDir, error);
  }
  const names: string[] = [];
  for (const entry of entries) {
    const name = relative(sourceDir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (isIgnoredSource(name) || entry.isDirectory()) continue;
    if (!entry.isFile()) {
      throw new CollectstaticError(
        `${join(sourceDir, name)}: only regular files are collected (no symbolic links)`,
      );
    }
    if (!isSafeRelativePath(name)) {
      throw new CollectstaticError(`${join(sourceDir, name)}: unusable file name`);
    }
    names.push(name);
  }
  if (names.length === 0) throw new CollectstaticError(`${sourceDir}: no static files to collect`);
  return names.sort();
}

function sortedMap(entries: [string, Buffer][]): ReadonlyMap<string, Buffer> {
  return new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Hashes every file under `sourceDir` into a set: `css/app.css` becomes
 * `css/app.<8 hex of its SHA-256>.css`, with `.br`/`.gz` siblings where they
 * are smaller. Same sources, same names and bytes. Dotfiles and README.md are
 * skipped.
 */
export async function buildSet(sourceDir: string): Promise<StaticSet> {
  const names = await listSources(sourceDir);
  const built = await Promise.all(
    names.map(async (name) => {
      let bytes: Buffer;
      try {
        bytes = await readFile(join(sourceDir, name));
      } catch (error) {
        throw fsError('read static source', join(sourceDir, name), error);
      }
      if (extname(name).toLowerCase() === '.css') checkCssReferences(name, bytes);
      return {
        name,
        hashed: hashedName(name, contentHash(bytes)),
        bytes,
        ...(await precompress(name, bytes)),
      };
    }),
  );
  const manifestFiles: Record<string, string> = {};
  const files = new Map<string, Buffer>();
  const add = (path: string, bytes: Buffer) => {
    if (files.has(path))
      throw new CollectstaticError(`${join(sourceDir, path)}: clashes with a hashed name`);
    files.set(path, bytes);
  };
  for (const { name, hashed, bytes, br, gz } of built) {
    manifestFiles[name] = hashed;
    add(hashed, bytes);
    if (br) add(`${hashed}.br`, br);
    if (gz) add(`${hashed}.gz`, gz);
  }
  return { manifest: { version: 1, files: manifestFiles }, files: sortedMap([...files]) };
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError('read', path, error);
  }
}

/**
 * Reads a set written earlier (the one baked into the image): its manifest,
 * the hashed files it names, and their siblings. Each file is checked against
 * the hash in its name and each sibling must decode to its file, so a
 * corrupted or hand-edited set fails here and never reaches the volume.
 */
export async function readSet(dir: string): Promise<StaticSet> {
  const manifest = await loadManifest(dir);
  const files: [string, Buffer][] = [];
  for (const [name, hashed] of Object.entries(manifest.files)) {
    const path = join(dir, hashed);
    const bytes = await readOptional(path);
    if (bytes === undefined) {
      throw new CollectstaticError(`${path}: named by ${join(dir, MANIFEST_FILE)} but missing`);
    }
    if (contentHash(bytes) !== hashOfName(name, hashed)) {
      throw new CollectstaticError(`${path}: content does not match the hash in its name`);
    }
    files.push([hashed, bytes]);
    if (!isCompressible(name)) continue;
    for (const suffix of SIBLING_SUFFIXES) {
      const sibling = await readOptional(`${path}${suffix}`);
      if (sibling === undefined) continue;
      let decoded: Buffer;
      try {
        decoded = decompress(suffix, sibling);
      } catch {
        throw new CollectstaticError(`${path}${suffix}: does not decode`);
      }
      if (!decoded.equals(bytes)) {
        throw new CollectstaticError(`${path}${suffix}: does not decode to ${hashed}`);
      }
      files.push([`${hashed}${suffix}`, sibling]);
    }
  }
  return { manifest, files: sortedMap(files) };
}

/** Every path a set brings, the manifest's hashed names and their siblings. */
export function setPaths(set: StaticSet): string[] {
  return [...set.files.keys()];
}

/** The manifest's bytes for this set (see {@link serializeManifest}). */
export function manifestBytes(set: StaticSet): Buffer {
  return Buffer.from(serializeManifest(set.manifest));
}
