/**
 * `app.media`: the uploaded-images service (src/media/), and its sweeper.
 * The sweeper runs in every replica (deleting is idempotent) every quarter
 * of the grace period, so an orphan file lives at most 1.25 × the grace.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { entryRepository } from '../entries/repository.ts';
import { Media } from '../media/service.ts';
import { MediaStore } from '../media/store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    media: Media;
    /** One sweep now; what it deleted. */
    sweepMedia(): Promise<string[]>;
  }
}

async function media(app: FastifyInstance, { config }: { config: Config }) {
  const store = config.mediaRoot === '' ? undefined : new MediaStore(config.mediaRoot);
  app.decorate('media', new Media(store, { maxPixels: config.mediaMaxPixels }));
  const repository = entryRepository(app.db);
  const sweep = async (): Promise<string[]> => {
    if (!store) return [];
    const removed = await store.sweep(config.mediaSweepGraceMs, (path) =>
      repository.mediaInUse(path),
    );
    if (removed.length > 0) app.log.info({ removed }, 'media sweeper removed unreferenced files');
    return removed;
  };
  app.decorate('sweepMedia', sweep);
  if (!store) return;
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    // A media root the app cannot write is a deployment error: say so at start.
    await store.prepare();
    timer = setInterval(
      () => {
        sweep().catch((error: unknown) => app.log.warn({ err: error }, 'media sweep failed'));
      },
      Math.ceil(config.mediaSweepGraceMs / 4),
    );
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}

export default fp(media, { name: 'media', fastify: '5.x', dependencies: ['db'] });
