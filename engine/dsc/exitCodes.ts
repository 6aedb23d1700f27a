/** Exit codes of `offlineseed-engine dsc ...`: the engine's own (engine/protocol/exitCodes.ts), described for DSC. */
export const DSC_EXIT_CODES: Readonly<Record<string, string>> = {
  '0': 'Success',
  '1': 'Failed: the error line on stderr says why (an OfflineSeed error id and message)',
  '2': 'Invalid input: the instance does not match the resource schema, or a property is missing or contradicts the seed',
  '3': 'Cancelled: the run was interrupted; nothing was left half-written, and applying again resumes',
};
