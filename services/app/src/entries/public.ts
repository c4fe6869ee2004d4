import { MEDIA_URL_PREFIX } from '../media/service.ts';
import type { Entry } from './repository.ts';

/** An entry as the API answers it: the image's files as URLs the edge serves. */
export function publicEntry(entry: Entry) {
  const { image } = entry;
  return {
    ...entry,
    image: image && {
      url: MEDIA_URL_PREFIX + image.path,
      width: image.width,
      height: image.height,
      type: image.type,
      name: image.name,
      thumbnail: {
        url: MEDIA_URL_PREFIX + image.thumbPath,
        width: image.thumbWidth,
        height: image.thumbHeight,
      },
    },
  };
}
