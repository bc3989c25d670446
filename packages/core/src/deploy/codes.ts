/** The deploy codes are in the one registry now (ERROR_CODES in errors.ts); this module goes once nothing imports it. */
export { DeployErrorCode } from '../errors.js';
