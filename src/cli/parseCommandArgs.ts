import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usageError.js';
import { errorMessage } from '../application/errorMessage.js';

/** node:util parseArgs, strict, with its complaints as UsageError. */
export const parseCommandArgs = <T extends ParseArgsConfig['options']>(
  args: string[],
  options: T,
) => {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
};
