import { Type } from 'typebox';
import type { FormMessages } from '../pages/form-validation.ts';
import { ErrorResponse } from '../plugins/errors.ts';

const ImageFile = Type.Object({
  url: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
});

/** An entry's image as the API shows it: URLs under the edge's /media/. */
export const EntryImage = Type.Object({
  ...ImageFile.properties,
  type: Type.String(),
  /** The uploader's file name, as metadata. */
  name: Type.String(),
  thumbnail: ImageFile,
});

export const Entry = Type.Object({
  id: Type.Integer(),
  author: Type.String(),
  message: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  image: Type.Union([EntryImage, Type.Null()]),
});

/** A 201's entry: with an image, also the secret link to the original upload. */
export const CreatedEntry = Type.Object({
  ...Entry.properties,
  originalUrl: Type.Optional(Type.String()),
});

/** Limits in characters (code points), shared by the API and the form. */
export const AUTHOR_MAX_CHARS = 80;
export const MESSAGE_MAX_CHARS = 2000;

// Lengths apply after trimming (the route trims before validating), in
// characters, as PostgreSQL's char_length checks them.
export const NewEntry = Type.Object(
  {
    author: Type.String({ minLength: 1, maxLength: AUTHOR_MAX_CHARS }),
    message: Type.String({ minLength: 1, maxLength: MESSAGE_MAX_CHARS }),
  },
  { additionalProperties: false },
);

/**
 * The same fields as a multipart body (the form with a file input, or the
 * API), plus the optional `image` file part, which the multipart parser
 * (media/uploads.ts) has already streamed to disk.
 */
export const NewEntryWithImage = Type.Object(
  { ...NewEntry.properties, image: Type.Optional(Type.Unknown()) },
  { additionalProperties: false },
);

/** What the guestbook form says when a field breaks a rule of NewEntry. */
export const newEntryMessages: FormMessages<typeof NewEntry> = {
  author: {
    minLength: 'Please enter your name.',
    maxLength: `Your name can be at most ${AUTHOR_MAX_CHARS} characters.`,
  },
  message: {
    minLength: 'Please write a message.',
    maxLength: `Your message can be at most ${MESSAGE_MAX_CHARS} characters.`,
  },
};

export const EntryParams = Type.Object({
  // Past 2^53 a JSON number loses digits; ids never get there.
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});

export const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});

export const EntryPage = Type.Object({
  entries: Type.Array(Entry),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

/** The error statuses any API route can answer. */
export const apiErrors = {
  400: ErrorResponse,
  500: ErrorResponse,
  503: ErrorResponse,
};
