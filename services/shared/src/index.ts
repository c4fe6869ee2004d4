export {
  type ErrorBody,
  type FieldError,
  errorBody,
  errorBodySchema,
  errorHtml,
  escapeHtml,
  prefersHtml,
} from './errors.ts';
export { REQUEST_ID_HEADER, REQUEST_ID_PATTERN, requestIdFrom } from './request-id.ts';
