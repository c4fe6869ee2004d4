/**
 * The one place errors become responses: the shared JSON shape, or the small
 * HTML page when the client prefers HTML (the root README, "Contracts between the containers"). A client
 * never sees a stack trace or a driver message; 5xx details go to the log.
 */
import { STATUS_CODES } from 'node:http';
import {
  type ErrorBody,
  errorBody,
  errorBodySchema,
  type FieldError,
  prefersHtml,
} from '@stack/shared';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { HttpError } from '../http-error.ts';
import { errorPage } from '../pages/error-view.ts';

/** The shared error shape in a route's response schema; registered below. */
export const ErrorResponse = Type.Unsafe<ErrorBody>({ $ref: `${errorBodySchema.$id}#` });

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

function fieldOf(issue: ValidationIssue): string {
  // ajv reports a missing property at its parent's path; name the property.
  const missing = issue.params.missingProperty;
  return typeof missing === 'string' ? `${issue.instancePath}/${missing}` : issue.instancePath;
}

function validationFields(issues: ValidationIssue[]): FieldError[] {
  return issues.map((issue) => ({
    field: fieldOf(issue) || '/',
    message: issue.message ?? 'is not valid',
  }));
}

// Fastify's codes for a body that is not JSON although it says it is.
const INVALID_JSON = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

// @fastify/csrf-protection's codes for a form without a valid token.
const CSRF_REFUSED = new Set(['FST_CSRF_MISSING_SECRET', 'FST_CSRF_INVALID_TOKEN']);

function snakeCase(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

function toErrorBody(error: FastifyError, requestId: string): ErrorBody {
  if (error instanceof HttpError) {
    const body = errorBody(error.statusCode, error.code, error.message, requestId);
    return error.fields ? { ...body, fields: error.fields } : body;
  }
  if (error.validation) {
    return {
      ...errorBody(400, 'validation_failed', 'The request is not valid.', requestId),
      fields: validationFields(error.validation),
    };
  }
  if (INVALID_JSON.has(error.code) || (error instanceof SyntaxError && error.statusCode === 400)) {
    return errorBody(400, 'invalid_json', 'The request body is not valid JSON.', requestId);
  }
  if (CSRF_REFUSED.has(error.code)) {
    return errorBody(
      403,
      'csrf_invalid',
      'The form was not sent from this site, or it expired. Reload the page and try again.',
      requestId,
    );
  }
  if (isDatabaseUnavailable(error)) {
    return errorBody(
      503,
      'db_unavailable',
      'The database is unavailable; retry shortly.',
      requestId,
    );
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own 4xx (body too large, unsupported media type...) carry
    // messages written for clients.
    return errorBody(
      status,
      snakeCase(STATUS_CODES[status] ?? 'bad request'),
      error.message,
      requestId,
    );
  }
  return errorBody(500, 'internal_error', 'Something went wrong on our side.', requestId);
}

export function sendError(request: FastifyRequest, reply: FastifyReply, body: ErrorBody) {
  reply.code(body.statusCode);
  if (prefersHtml(request.headers.accept)) {
    // The site's own error page, styled by the static set, with the facts of the JSON body.
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(errorPage(body, request.server.asset));
  }
  return reply.type('application/json; charset=utf-8').send(body);
}

async function errors(app: FastifyInstance) {
  app.addSchema(errorBodySchema);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = toErrorBody(error, request.id);
    // An HttpError is an answer the app chose; anything else at 5xx is
    // worth a log line with the detail the client does not get.
    if (body.code === 'db_unavailable') {
      request.log.warn({ err: error }, 'database unavailable');
    } else if (body.statusCode >= 500 && !(error instanceof HttpError)) {
      request.log.error({ err: error }, 'request failed');
    }
    return sendError(request, reply, body);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, errorBody(404, 'not_found', 'Not found.', request.id)),
  );
}

export default fp(errors, { name: 'errors', fastify: '5.x' });
