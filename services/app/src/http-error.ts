import type { FieldError } from '@stack/shared';

/**
 * An error a handler throws to answer with a given status and code; the
 * error handler turns it into the shared error shape.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly fields: FieldError[] | undefined;
  constructor(statusCode: number, code: string, message: string, fields?: FieldError[]) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.fields = fields;
  }
}

export function notFound(message = 'Not found.'): HttpError {
  return new HttpError(404, 'not_found', message);
}
