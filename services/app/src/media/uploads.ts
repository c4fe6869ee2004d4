/**
 * Multipart bodies for the routes of the plugin that registers this
 * (`@fastify/multipart`): the one file part, `image`, is streamed to a
 * temporary file under the media root's `.tmp/` as it arrives (never held
 * in memory), bounded by APP_MEDIA_MAX_BYTES; text fields become
 * `request.body` as a urlencoded form's would. Temporaries are deleted when
 * the response is sent; one left by a killed process is the sweeper's.
 */
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../http-error.ts';
import type { Upload } from './service.ts';

/** The one file field a form or API request may carry. */
export const IMAGE_FIELD = 'image';

const temporaries = new WeakMap<FastifyRequest, string[]>();

function mebibytes(bytes: number): string {
  return `${Math.round((bytes / 1024 ** 2) * 10) / 10} MiB`;
}

async function uploads(app: FastifyInstance, { maxBytes }: { maxBytes: number }) {
  async function onFile(this: FastifyRequest, part: MultipartFile): Promise<void> {
    if (part.fieldname !== IMAGE_FIELD || part.filename === '') {
      // No file chosen in the form (an empty part), or a field we do not take.
      part.file.resume();
      await new Promise((resolve) => part.file.once('end', resolve));
      if (part.fieldname !== IMAGE_FIELD) {
        throw new HttpError(400, 'validation_failed', 'The request is not valid.', [
          { field: `/${part.fieldname}`, message: `only "${IMAGE_FIELD}" may be a file` },
        ]);
      }
      return;
    }
    const store = this.server.media.enabledStore();
    const path = store.tempPath();
    const list = temporaries.get(this) ?? [];
    list.push(path);
    temporaries.set(this, list);
    await pipeline(part.file, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    if (part.file.truncated) {
      throw new HttpError(
        413,
        'file_too_large',
        `The image is larger than ${mebibytes(maxBytes)}, the most this site accepts.`,
      );
    }
    const upload: Upload = {
      kind: 'upload',
      path,
      size: (await stat(path)).size,
      filename: part.filename,
    };
    (part as MultipartFile & { value: Upload }).value = upload;
  }

  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    onFile,
    throwFileSizeLimit: false,
    // Text fields are a form's few KiB; more parts than the form
    // has fields is not a post from our pages.
    limits: { fileSize: maxBytes, files: 1, fields: 8, parts: 9, fieldSize: 16 * 1024 },
  });
  // onSend, not onResponse: gone before the client has the answer, so what
  // it sees next is the state it was told about.
  app.addHook('onSend', async (request) => {
    for (const path of temporaries.get(request) ?? []) await rm(path, { force: true });
  });
}

export default fp(uploads, { name: 'uploads', fastify: '5.x' });
