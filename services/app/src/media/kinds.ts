/**
 * Which uploads are images we keep, decided from the bytes (magic numbers,
 * `file-type`), never from the client's file name or `Content-Type`: an
 * HTML file named `cat.png` declares `image/png` too.
 */
import { open } from 'node:fs/promises';
import { HttpError } from '../http-error.ts';

/** The allow-list: what file-type calls each kept format, and what sharp does. */
export const IMAGE_KINDS = {
  png: { mime: 'image/png', sharp: 'png' },
  jpg: { mime: 'image/jpeg', sharp: 'jpeg' },
  webp: { mime: 'image/webp', sharp: 'webp' },
  gif: { mime: 'image/gif', sharp: 'gif' },
  avif: { mime: 'image/avif', sharp: 'heif' },
} as const;

export type ImageExt = keyof typeof IMAGE_KINDS;

const ALLOWED = 'PNG, JPEG, WebP, GIF or AVIF';

function isImageExt(ext: string): ext is ImageExt {
  return Object.hasOwn(IMAGE_KINDS, ext);
}

function unsupported(message: string): HttpError {
  return new HttpError(415, 'unsupported_image_type', message);
}

/** True when the first non-blank byte is `<`: HTML, SVG, XML. */
async function looksLikeMarkup(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    const head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    return head.startsWith('<');
  } finally {
    await handle.close();
  }
}

/** The kept format of the file at `path`, or the 415 that says why not. */
export async function imageKindOf(path: string): Promise<ImageExt> {
  // Loaded on the first upload, as encode.ts is: a start needs neither.
  const { fileTypeFromFile } = await import('file-type');
  const detected = await fileTypeFromFile(path);
  if (detected && isImageExt(detected.ext)) return detected.ext;
  if (detected) {
    throw unsupported(`The file is ${detected.mime}; only ${ALLOWED} images are accepted.`);
  }
  if (await looksLikeMarkup(path)) {
    throw unsupported(
      `The file is text markup (HTML, SVG or XML), not an image: SVG is refused because it can carry script; only ${ALLOWED} images are accepted.`,
    );
  }
  throw unsupported(`The file is not an image this site knows; only ${ALLOWED} are accepted.`);
}
