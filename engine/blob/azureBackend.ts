/**
 * A repository in a Blob container: the same layout as on disk, under a prefix, one block blob per file
 * (<prefix>/config, <prefix>/keys/<id>, <prefix>/data/<2 hex>/<id>, …), which is also how restic's
 * azure backend lays it out. Files are immutable: a save never overwrites (If-None-Match: *), and one
 * that finds the same content already there (a retry, a resumed run) succeeds. Every upload carries its
 * Content-MD5 so the service rejects a corrupted transfer. Data packs may go to Cool or Cold; config,
 * keys, index and snapshots stay Hot because every operation reads them.
 */
import { isIdentityError, noTokenError } from '../azure/identityErrors.ts';
import { createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { AnonymousCredential, BlobServiceClient, RestError, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { retryDelayMs } from '../azure/retryDelay.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { folderOf, type Backend, type FileHandle, type FileInfo, type FileType, type SaveOptions } from '../repo/backend/backend.ts';

export type AccessTier = 'Hot' | 'Cool' | 'Cold';

export interface AzureBackendOptions {
  account: string;
  container: string;
  prefix: string;
  endpoint: string;
  credential: { kind: 'key'; key: string } | { kind: 'sas'; sas: string } | { kind: 'token'; token: TokenCredential };
  dataTier?: AccessTier;
  /** Parallel requests of one large upload or download. */
  concurrency?: number;
  /** Retries per request (with exponential backoff) before giving up. */
  maxTries?: number;
  tryTimeoutMs?: number;
}

const ID = /^[0-9a-f]{64}$/;
/** Service error codes that mean "who you are, or what you may do" whatever the HTTP status. */
const AUTH_ERROR_CODES = new Set(['AuthenticationFailed', 'InvalidAuthenticationInfo', 'AuthorizationFailure', 'AuthorizationPermissionMismatch', 'InsufficientAccountPermissions', 'NoAuthenticationInformation']);

export class AzureBackend implements Backend {
  readonly location: string;
  private readonly container: ContainerClient;
  private readonly service: BlobServiceClient;
  private readonly prefix: string;
  private readonly options: AzureBackendOptions;

  constructor(options: AzureBackendOptions) {
    this.options = options;
    this.prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.location = `azure://${options.account}/${options.container}${this.prefix === '' ? '' : `/${this.prefix}`}`;
    const pipeline = {
      retryOptions: { maxTries: options.maxTries ?? 6, retryDelayInMs: retryDelayMs(), maxRetryDelayInMs: 30_000, tryTimeoutInMs: options.tryTimeoutMs ?? 120_000 },
      userAgentOptions: { userAgentPrefix: 'offlineseed' },
    };
    const c = options.credential;
    const service = c.kind === 'key'
      ? new BlobServiceClient(options.endpoint, new StorageSharedKeyCredential(options.account, c.key), pipeline)
      : c.kind === 'sas'
        ? new BlobServiceClient(`${options.endpoint}?${c.sas.replace(/^\?/, '')}`, new AnonymousCredential(), pipeline)
        : new BlobServiceClient(options.endpoint, c.token, pipeline);
    this.service = service;
    this.container = service.getContainerClient(options.container);
  }

  /** This repository's container, or another container of the same account (diagnostics logs). */
  containerClient(name?: string): ContainerClient {
    return name === undefined ? this.container : this.service.getContainerClient(name);
  }

  get containerName(): string {
    return this.options.container;
  }

  blobName(handle: FileHandle): string {
    let path: string;
    if (handle.type === 'config') path = 'config';
    else {
      if (!ID.test(handle.name)) throw new Error(`invalid ${handle.type} file name ${handle.name}`);
      path = handle.type === 'data' ? `data/${handle.name.slice(0, 2)}/${handle.name}` : `${folderOf(handle.type)}/${handle.name}`;
    }
    return this.prefix === '' ? path : `${this.prefix}/${path}`;
  }

  async create(): Promise<void> {
    await this.call('create the container', () => this.container.createIfNotExists());
    if (await this.stat({ type: 'config', name: 'config' }) !== undefined) {
      throw new OfflineSeedError('OfflineSeed.RepositoryExists', 'ResourceExists', `a repository already exists at ${this.location}`, { targetObject: this.location });
    }
  }

  async list(type: FileType): Promise<FileInfo[]> {
    if (type === 'config') {
      const info = await this.stat({ type, name: 'config' });
      return info === undefined ? [] : [info];
    }
    const prefix = `${this.prefix === '' ? '' : `${this.prefix}/`}${folderOf(type)}/`;
    return this.call(`list ${type}`, async () => {
      const out: FileInfo[] = [];
      for await (const blob of this.container.listBlobsFlat({ prefix })) {
        const name = blob.name.slice(blob.name.lastIndexOf('/') + 1);
        if (!ID.test(name)) continue;
        if (type === 'data' && blob.name !== `${prefix}${name.slice(0, 2)}/${name}`) continue;
        if (type !== 'data' && blob.name !== `${prefix}${name}`) continue;
        out.push({ name, size: blob.properties.contentLength ?? 0 });
      }
      return out;
    });
  }

  async read(handle: FileHandle, offset?: number, length?: number): Promise<Buffer> {
    const blob = this.container.getBlobClient(this.blobName(handle));
    return this.call(`read ${this.blobName(handle)}`, async () => {
      if (offset === undefined) return blob.downloadToBuffer(0, undefined, { concurrency: this.options.concurrency ?? 4 });
      let start = offset;
      let count = length;
      if (offset < 0) {
        const size = (await blob.getProperties()).contentLength ?? 0;
        start = Math.max(0, size + offset);
        count = size - start;
      }
      if (count === 0) return Buffer.alloc(0);
      return blob.downloadToBuffer(start, count, { concurrency: this.options.concurrency ?? 4 });
    });
  }

  async stat(handle: FileHandle): Promise<FileInfo | undefined> {
    const blob = this.container.getBlobClient(this.blobName(handle));
    try {
      const props = await blob.getProperties();
      return { name: handle.name, size: props.contentLength ?? 0 };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw this.translate(error, `stat ${this.blobName(handle)}`);
    }
  }

  async save(handle: FileHandle, data: Buffer | readonly Buffer[], _options?: SaveOptions): Promise<void> {
    const body = Buffer.isBuffer(data) ? data : Buffer.concat(data);
    const name = this.blobName(handle);
    const md5 = createHash('md5').update(body).digest();
    const block = this.container.getBlockBlobClient(name);
    const tier = handle.type === 'data' ? (this.options.dataTier ?? 'Hot') : 'Hot';
    try {
      await block.uploadData(body, {
        blockSize: 8 * 1024 * 1024,
        maxSingleShotSize: 64 * 1024 * 1024,
        concurrency: this.options.concurrency ?? 4,
        blobHTTPHeaders: { blobContentMD5: md5 },
        conditions: { ifNoneMatch: '*' },
        tier,
      });
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) {
        // Already there: a retried or resumed upload. Content-addressed, so the same size means the same file.
        const existing = await this.stat(handle);
        if (existing?.size === body.length) return;
      }
      throw this.translate(error, `upload ${name}`);
    }
  }

  async remove(handle: FileHandle): Promise<void> {
    await this.call(`delete ${this.blobName(handle)}`, () => this.container.deleteBlob(this.blobName(handle), { deleteSnapshots: 'include' }).catch((e: unknown) => {
      if (e instanceof RestError && e.statusCode === 404) return undefined;
      throw e;
    }));
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.translate(error, what);
    }
  }

  private translate(error: unknown, what: string): OfflineSeedError {
    return storageError(error, what, this.location, (detail) => new OfflineSeedError('OfflineSeed.ContainerNotFound', 'ObjectNotFound', detail, { targetObject: this.location, cause: error }));
  }
}

/**
 * A Blob storage call's failure as the engine reports it: access denied, not found (the caller says
 * what a missing container means to it), or the service unavailable after the SDK's retries.
 */
export function storageError(error: unknown, what: string, location: string, notFound: (detail: string) => OfflineSeedError): OfflineSeedError {
  if (error instanceof OfflineSeedError) return error;
  if (isIdentityError(error)) return noTokenError(error as Error, `${what} at ${location}`, location, 'Azure Storage');
  const status = error instanceof RestError ? error.statusCode : undefined;
  // HEAD responses have no body: the service's error code is then only in x-ms-error-code.
  const code = error instanceof RestError ? (error.code ?? error.response?.headers.get('x-ms-error-code')) : (error as NodeJS.ErrnoException).code;
  const detail = `${what} at ${location} failed: ${status ?? code ?? ''} ${((error as Error).message ?? '').split('\n')[0]}`.replace(/\s+/g, ' ');
  if (status === 401 || status === 403 || (code !== undefined && AUTH_ERROR_CODES.has(code))) {
    return new OfflineSeedError('OfflineSeed.StorageAccessDenied', 'PermissionDenied', detail, {
      targetObject: location,
      recommendedAction: 'Check the credential: the identity needs Storage Blob Data Contributor on the container (or give an account key or SAS).',
      cause: error,
    });
  }
  if (status === 404) return notFound(detail);
  return new OfflineSeedError('OfflineSeed.StorageUnavailable', 'ConnectionError', detail, {
    targetObject: location,
    recommendedAction: 'The storage service did not answer after several retries; run the same command again when it is reachable: it resumes.',
    cause: error,
  });
}
