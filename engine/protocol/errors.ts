/**
 * The single error contract of the engine. Every failure a user can meet is an OfflineSeedError with a
 * stable errorId (never reworded once released) and a PowerShell ErrorCategory, so the module can
 * rebuild a faithful ErrorRecord. Messages never contain secrets.
 */
export type ErrorCategory =
  | 'NotSpecified' | 'InvalidArgument' | 'InvalidData' | 'InvalidOperation' | 'ObjectNotFound'
  | 'ResourceExists' | 'ResourceUnavailable' | 'ResourceBusy' | 'PermissionDenied' | 'LimitsExceeded'
  | 'OperationStopped' | 'OperationTimeout' | 'ConnectionError' | 'AuthenticationError' | 'ReadError'
  | 'WriteError' | 'NotImplemented' | 'SecurityError';

export interface ErrorDetails {
  targetObject?: string;
  recommendedAction?: string;
  cause?: unknown;
}

export class OfflineSeedError extends Error {
  readonly errorId: string;
  readonly category: ErrorCategory;
  readonly targetObject: string | undefined;
  readonly recommendedAction: string | undefined;

  constructor(errorId: string, category: ErrorCategory, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'OfflineSeedError';
    this.errorId = errorId.startsWith('OfflineSeed.') ? errorId : `OfflineSeed.${errorId}`;
    this.category = category;
    this.targetObject = details.targetObject;
    this.recommendedAction = details.recommendedAction;
  }
}

/** Thrown when the run was cancelled (stdin closed, SIGINT, SIGTERM, pipeline stopped). */
export class CancelledError extends OfflineSeedError {
  constructor(message = 'The operation was cancelled; everything written so far is kept and the run can be resumed.') {
    super('OfflineSeed.Cancelled', 'OperationStopped', message);
    this.name = 'CancelledError';
  }
}

export function invalidRequest(message: string, targetObject?: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', message, {
    ...(targetObject === undefined ? {} : { targetObject }),
    recommendedAction: 'Correct the request; run "offlineseed-engine describe" for every command and its parameters.',
  });
}

export function isNoSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** A full disk named by the location the user chose (not by the temporary file that did not fit). */
export function noSpaceIn(location: string, what: string, cause: unknown): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.NoSpace', 'LimitsExceeded', `No space left in ${what} ${location}; everything stored so far is kept`, {
    targetObject: location,
    cause,
    recommendedAction: 'Free space on that drive (or choose a larger location), then run the same command again: it resumes where it stopped.',
  });
}

/** Node system errors (ENOENT, EACCES, ENOSPC, ...) mapped to stable ids, so a full disk reads as one. */
/** "What: path", or just "What" when the error named no path (a read on a descriptor, say). */
function about(what: string, target: string | undefined): string {
  return target === undefined || target === '' ? what : `${what}: ${target}`;
}

export function fromSystemError(error: unknown, targetObject?: string): OfflineSeedError | undefined {
  if (!(error instanceof Error)) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (error.name === 'RestError' && (status === 401 || status === 403)) {
    // A storage call outside the backend's own mapping; the URL (which may carry a SAS) is never shown.
    return new OfflineSeedError('OfflineSeed.StorageAccessDenied', 'PermissionDenied', `The storage service refused the credential (${status} ${String((error as { code?: unknown }).code ?? '')})`.trim(), {
      ...(targetObject === undefined ? {} : { targetObject }),
      cause: error,
      recommendedAction: 'Give a credential with access to the container: a storage account key, a SAS with the needed permissions, or an Entra identity with a Storage Blob Data role.',
    });
  }
  if (!('code' in error)) return undefined;
  const code = String((error as NodeJS.ErrnoException).code);
  const target = targetObject ?? (error as NodeJS.ErrnoException).path;
  const details = target === undefined ? {} : { targetObject: target };
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new OfflineSeedError('OfflineSeed.NoSpace', 'LimitsExceeded', target === undefined ? 'No space left on the device' : `No space left on the device while writing ${target}`, {
        ...details, cause: error, recommendedAction: 'Free space (or use a larger location), then run the same command again: it resumes.',
      });
    case 'EACCES':
    case 'EPERM':
      return new OfflineSeedError('OfflineSeed.AccessDenied', 'PermissionDenied', about('Access denied', target), { ...details, cause: error });
    case 'ENOENT':
    case 'ENOTDIR':
      return new OfflineSeedError('OfflineSeed.PathNotFound', 'ObjectNotFound', about('Not found', target), { ...details, cause: error });
    case 'ENAMETOOLONG':
      return new OfflineSeedError('OfflineSeed.PathTooLong', 'InvalidArgument', about('Path or file name too long', target?.slice(0, 200)), { ...details, cause: error });
    case 'EISDIR':
    case 'ERR_FS_EISDIR': // fs.rm's SystemError for a folder where a file was named
      return new OfflineSeedError('OfflineSeed.PathIsFolder', 'InvalidArgument', about('A folder where a file was expected', target), { ...details, cause: error });
    case 'EROFS':
      return new OfflineSeedError('OfflineSeed.ReadOnlyLocation', 'PermissionDenied', about('Read-only file system', target), { ...details, cause: error });
    case 'EIO':
      return new OfflineSeedError('OfflineSeed.IOError', 'ReadError', about('I/O error', target), { ...details, cause: error });
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      // A network call outside the retrying clients: still a connection error, not an internal one.
      return new OfflineSeedError('OfflineSeed.NetworkUnavailable', 'ConnectionError', `The network call failed (${code}); check the connection and run the same command again.`, { cause: error });
    default:
      return undefined;
  }
}
