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
export {
  addressListSetting,
  ConfigError,
  invalid,
  loadOrExit,
  missing,
  PLACEHOLDER_SECRET_PREFIX,
  readSecret,
  refusePlaceholderSecret,
  type SettingsSchema,
  settingsReader,
} from './settings.ts';
export {
  hashedName,
  hashOfName,
  isHashedName,
  isSafeRelativePath,
  MANIFEST_FILE,
  type Manifest,
  ManifestError,
  parseManifest,
  serializeManifest,
} from './static-manifest.ts';
export {
  ADDRESS_RANGES,
  type AddressRange,
  addressRanges,
  expandAddressList,
  parseAddressList,
} from './trusted-proxies.ts';
