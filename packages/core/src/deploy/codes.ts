/** The deploy codes are in the one registry now (`ERROR_CODES` in errors.ts); this name stays for the public API. */
export { DeployErrorCode } from '../errors.js';
