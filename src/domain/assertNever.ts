/** Makes a switch exhaustive: adding a case to a union fails to compile until it is handled. */
export const assertNever = (value: never): never => {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
};
