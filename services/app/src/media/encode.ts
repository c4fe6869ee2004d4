/**
 * Re-encoding with sharp (libvips): the stored image is pixels sharp decoded
 * and encoded again, never the uploaded bytes. So EXIF (GPS, camera serial),
 * XMP, comments and anything appended after the image data (an HTML or ZIP
 * polyglot) are gone, and a file that only starts like an image fails to
 * decode. Why sharp: maintained, prebuilt for linux-x64 glibc (the
 * node:24-slim image), streams through libvips with bounded memory, and
 * `limitInputPixels` refuses a decompression bomb from its header.
 */
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { HttpError } from '../http-error.ts';
import { IMAGE_KINDS, type ImageExt } from './kinds.ts';

/** The longest side of a list thumbnail, in pixels. */
export const THUMBNAIL_MAX_SIDE = 320;

export interface Encoded {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

export interface EncodedImage {
  readonly image: Encoded;
  readonly thumbnail: Encoded;
}

function unreadable(): HttpError {
  return new HttpError(
    422,
    'image_unreadable',
    'The file starts like an image but its image data cannot be decoded.',
  );
}

/**
 * Decodes `path` (already known to be `ext` from its magic number) and
 * encodes the image and its thumbnail. Only the first frame of an animation
 * is kept: a GIF's frames multiply its pixels past what the header says.
 */
export async function encodeImage(
  path: string,
  ext: ImageExt,
  maxPixels: number,
): Promise<EncodedImage> {
  // failOn 'error': a truncated or corrupt file is refused, not half-decoded.
  const input = () =>
    sharp(path, { limitInputPixels: maxPixels, failOn: 'error', animated: false });
  let meta: Metadata;
  try {
    // The header alone (no pixel is decoded), without the limit, so the
    // answer can say how large the image claims to be.
    meta = await sharp(path, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch {
    throw unreadable();
  }
  // libvips guesses the format on its own (it reads SVG, TIFF, PDF…): it must
  // agree with the magic number, or the file is two things at once.
  if (meta.format !== IMAGE_KINDS[ext].sharp) throw unreadable();
  const { width, height } = meta;
  if (!width || !height || width * height > maxPixels) {
    throw new HttpError(
      422,
      'image_too_large',
      `The image is ${width}×${height} pixels; at most ${maxPixels} pixels are accepted.`,
    );
  }
  try {
    // rotate() applies the EXIF orientation, which is dropped with the rest
    // of the metadata (sharp keeps none unless asked).
    const [image, thumbnail] = await Promise.all([
      encodeAs(input().rotate(), ext),
      input()
        .rotate()
        .resize({
          width: THUMBNAIL_MAX_SIDE,
          height: THUMBNAIL_MAX_SIDE,
          fit: 'inside',
          withoutEnlargement: true,
        })
        .webp({ quality: 80 })
        .toBuffer({ resolveWithObject: true }),
    ]);
    return { image: encoded(image), thumbnail: encoded(thumbnail) };
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw unreadable();
  }
}

function encodeAs(pipeline: Sharp, ext: ImageExt) {
  switch (ext) {
    case 'png':
      return pipeline.png().toBuffer({ resolveWithObject: true });
    case 'jpg':
      return pipeline.jpeg({ quality: 85, mozjpeg: true }).toBuffer({ resolveWithObject: true });
    case 'webp':
      return pipeline.webp({ quality: 85 }).toBuffer({ resolveWithObject: true });
    case 'gif':
      return pipeline.gif().toBuffer({ resolveWithObject: true });
    case 'avif':
      // effort 2: AVIF's default effort costs seconds of CPU per photo.
      return pipeline.avif({ quality: 60, effort: 2 }).toBuffer({ resolveWithObject: true });
  }
}

function encoded({ data, info }: { data: Buffer; info: OutputInfo }): Encoded {
  return { data, width: info.width, height: info.height };
}
