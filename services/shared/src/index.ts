export {
  type ErrorBody,
  errorBody,
  errorBodySchema,
  errorHtml,
  escapeHtml,
  type FieldError,
  prefersHtml,
} from './errors.ts';
export { REQUEST_ID_HEADER, REQUEST_ID_PATTERN, requestIdFrom } from './request-id.ts';
