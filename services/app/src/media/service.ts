/**
 * What routes use: an upload received under `.tmp/` becomes a stored image
 * (type from the bytes, re-encoded, thumbnail, content-hash names), and a
 * deleted entry's files go. The row is the caller's to commit, after
 * `save` returns: a file whose row never commits is the sweeper's.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { StoredImage } from '../entries/repository.ts';
import { HttpError } from '../http-error.ts';
import { IMAGE_KINDS, imageKindOf } from './kinds.ts';
import { IMAGES_DIR, type MediaStore, ORIGINALS_DIR, THUMBS_DIR } from './store.ts';

/** The stored form of an original's key: its SHA-256, so a database dump holds no link. */
export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/** True when `key` is the one whose hash is `hash`, compared in constant time. */
export function keyMatches(key: string, hash: string): boolean {
  const given = Buffer.from(keyHash(key));
  const stored = Buffer.from(hash);
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** Where the edge serves the media root. */
export const MEDIA_URL_PREFIX = '/media/';

/** A file part received to disk by the multipart parser (uploads.ts). */
export interface Upload {
  readonly kind: 'upload';
  readonly path: string;
  readonly size: number;
  /** As the client named it; never used as a path. */
  readonly filename: string;
}

export function isUpload(value: unknown): value is Upload {
  return typeof value === 'object' && value !== null && (value as Upload).kind === 'upload';
}

/** A client's file name as kept: no path, no control characters, at most 255 characters. */
export function displayName(filename: string): string {
  const base = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return [...(clean || 'image')].slice(0, 255).join('');
}

export interface MediaOptions {
  readonly maxPixels: number;
}

export class Media {
  readonly store: MediaStore | undefined;
  readonly options: MediaOptions;
  constructor(store: MediaStore | undefined, options: MediaOptions) {
    this.store = store;
    this.options = options;
  }

  /** The store, or the 503 saying uploads are off (no APP_MEDIA_ROOT). */
  enabledStore(): MediaStore {
    if (this.store) return this.store;
    throw new HttpError(503, 'uploads_disabled', 'This server does not accept images.');
  }

  /**
   * The image and its thumbnail (public), the uploaded bytes as they came
   * (protected: EXIF and all, the uploader's own), and the key of the
   * original's secret link, returned once and stored only as a hash.
   */
  async save(upload: Upload): Promise<{ image: StoredImage; key: string }> {
    const store = this.enabledStore();
    if (upload.size === 0) {
      throw new HttpError(422, 'empty_file', 'The image file is empty (0 bytes).');
    }
    const ext = await imageKindOf(upload.path);
    // sharp (libvips) is loaded on the first upload, not at start: it is
    // ~20 MiB of every app process's memory and a tenth of a second of its start.
    const { encodeImage } = await import('./encode.ts');
    const { image, thumbnail } = await encodeImage(upload.path, ext, this.options.maxPixels);
    const path = await store.put(IMAGES_DIR, ext, image.data);
    const thumbPath = await store.put(THUMBS_DIR, 'webp', thumbnail.data);
    const originalPath = await store.put(ORIGINALS_DIR, ext, await readFile(upload.path));
    const key = randomBytes(24).toString('base64url');
    const stored: StoredImage = {
      path,
      type: IMAGE_KINDS[ext].mime,
      width: image.width,
      height: image.height,
      thumbPath,
      thumbWidth: thumbnail.width,
      thumbHeight: thumbnail.height,
      name: displayName(upload.filename),
      originalPath,
      keyHash: keyHash(key),
    };
    return { image: stored, key };
  }

  /** Deletes each of `paths` that no entry names any more. */
  async release(paths: string[], inUse: (path: string) => Promise<boolean>): Promise<void> {
    if (!this.store) return;
    for (const path of paths) {
      if (!(await inUse(path))) await this.store.remove(path);
    }
  }
}
