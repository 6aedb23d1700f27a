/**
 * The published seed in the storage account, next to the repository it describes. For the seed
 * azure://<account>/<container>/<prefix> the records are the blobs
 *
 *   <prefix>/offlineseed/offlineseed.json     the descriptor (the truth once published)
 *   <prefix>/offlineseed/shipping.json        the shipping record, once job.ship ran
 *   <prefix>/offlineseed/drives.json          the drives: ids, manifest file and hash, and per drive
 *                                             every blob its manifest lists (path, length, piece MD5s)
 *   <prefix>/offlineseed/bitlocker.sealed.json the BitLocker recovery passwords, sealed (sealedKeys.ts)
 *
 * restic and the repository check only read config, keys/, data/, index/, snapshots/ and locks/ under
 * the prefix, so a folder of another name is invisible to them (test/seed/publish.test.ts runs
 * `restic check` on the container to prove it).
 *
 * Every write is conditional: If-Match the ETag this store last read, or If-None-Match * for a blob it
 * found absent. A writer that lost a race gets OfflineSeed.DescriptorChanged and changes nothing; a
 * blob upload is all or nothing, so no record is ever half written.
 */
import { RestError, type ContainerClient } from '@azure/storage-blob';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { ShippingRecord } from '../importjob/seedRecords.ts';
import { assertAzureLocation, parseAzureUrl, type AzureAccessParams, type AzureLocation } from '../repo/repositoryLocation.ts';
import { openAzureBackend } from '../blob/openAzureBackend.ts';
import { storageError } from '../blob/azureBackend.ts';
import type { SeedDescriptor } from './seedDescriptor.ts';
import type { SeedStore } from './seedStore.ts';

export const RECORDS_FOLDER = 'offlineseed';
export const DESCRIPTOR_BLOB = 'offlineseed.json';
export const SHIPPING_BLOB = 'shipping.json';
export const DRIVES_BLOB = 'drives.json';
export const SEALED_KEYS_BLOB = 'bitlocker.sealed.json';

/** Parses and checks -SeedUri: azure://<account>/<container>[/<prefix>], the seed's repository location. */
export function parseSeedUri(seedUri: string): AzureLocation {
  const location = parseAzureUrl(seedUri.trim());
  if (location === undefined || seedUri.includes('?') || seedUri.includes('#')) {
    throw new OfflineSeedError('OfflineSeed.InvalidSeedUri', 'InvalidArgument', `params.seedUri: "${seedUri.split('?')[0]}" is not azure://<account>/<container>/<prefix> (a SAS goes into -SasToken, never into the URI)`, {
      targetObject: 'params.seedUri',
      recommendedAction: 'Give the seed\'s repository location as Publish-OfflineSeed printed it, e.g. azure://contosobackup/backups/fs01.',
    });
  }
  assertAzureLocation(location);
  return location;
}

export function seedUriOf(location: AzureLocation): string {
  return `azure://${location.account}/${location.container}${location.prefix === '' ? '' : `/${location.prefix}`}`;
}

export interface StoredJson<T> {
  value: T;
  etag: string;
}

export class BlobSeedStore implements SeedStore {
  readonly kind = 'blob' as const;
  readonly location: string;
  readonly seedUri: string;
  readonly stagingPath = undefined;
  readonly azure: AzureLocation;
  private readonly container: ContainerClient;
  /** ETag per record blob as last read or written (null: read, and absent). */
  private readonly etags = new Map<string, string | null>();
  /** The descriptor as last read or written by this store. */
  private last: SeedDescriptor | undefined;

  constructor(location: AzureLocation, access: AzureAccessParams) {
    this.azure = location;
    this.seedUri = seedUriOf(location);
    this.location = this.seedUri;
    this.container = openAzureBackend(location, access).containerClient();
  }

  static open(seedUri: string, access: AzureAccessParams): BlobSeedStore {
    return new BlobSeedStore(parseSeedUri(seedUri), access);
  }

  blobName(record: string): string {
    return `${this.azure.prefix === '' ? '' : `${this.azure.prefix}/`}${RECORDS_FOLDER}/${record}`;
  }

  urlOf(record: string): string {
    return `azure://${this.azure.account}/${this.azure.container}/${this.blobName(record)}`;
  }

  /** Reads a JSON record (remembering its ETag for the next conditional write); undefined when absent. */
  async readJson<T>(record: string): Promise<StoredJson<T> | undefined> {
    const name = this.blobName(record);
    let data: Buffer;
    let etag: string;
    try {
      const blob = this.container.getBlobClient(name);
      const response = await blob.download();
      etag = response.etag ?? '';
      data = await streamToBuffer(response.readableStreamBody);
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) {
        this.etags.set(record, null);
        return undefined;
      }
      throw this.translate(error, `read ${name}`);
    }
    let value: T;
    try {
      value = JSON.parse(data.toString('utf8')) as T;
    } catch {
      throw new OfflineSeedError('OfflineSeed.DescriptorCorrupt', 'InvalidData', `${this.urlOf(record)} is not valid JSON`, {
        targetObject: this.urlOf(record),
        recommendedAction: 'Publish the seed again from the server: Publish-OfflineSeed -StagingPath ...',
      });
    }
    this.etags.set(record, etag);
    return { value, etag };
  }

  /**
   * Writes a JSON record on the condition that it is still what this store last saw of it (If-Match),
   * or still absent (If-None-Match *); unread records are read first.
   */
  async writeJson(record: string, value: unknown, containerCreated = false): Promise<string> {
    if (!this.etags.has(record)) await this.readJson(record);
    const seen = this.etags.get(record);
    const name = this.blobName(record);
    const body = Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8');
    try {
      const response = await this.container.getBlockBlobClient(name).upload(body, body.length, {
        conditions: seen === null || seen === undefined ? { ifNoneMatch: '*' } : { ifMatch: seen },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      this.etags.set(record, response.etag ?? '');
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 412 || error.statusCode === 409)) {
        throw new OfflineSeedError('OfflineSeed.DescriptorChanged', 'InvalidOperation', `${this.urlOf(record)} was changed by another writer since this command read it; nothing was written`, {
          targetObject: this.urlOf(record),
          recommendedAction: 'Another command (a runbook, or the server) updated the seed at the same time: run this command again, it starts from the new state.',
        });
      }
      if (error instanceof RestError && error.statusCode === 404 && !containerCreated) {
        // The container does not exist yet (published before the import created it).
        await this.ensureContainer();
        return this.writeJson(record, value, true);
      }
      throw this.translate(error, `write ${name}`);
    }
    return this.urlOf(record);
  }

  private async ensureContainer(): Promise<void> {
    try {
      await this.container.createIfNotExists();
    } catch (error) {
      throw this.translate(error, `create the container ${this.azure.container}`);
    }
  }

  async read(): Promise<SeedDescriptor | undefined> {
    const stored = await this.readJson<SeedDescriptor>(DESCRIPTOR_BLOB);
    if (stored === undefined) return undefined;
    const d = stored.value;
    if (d === null || typeof d !== 'object' || d.formatVersion !== 1 || typeof d.jobName !== 'string') {
      throw new OfflineSeedError('OfflineSeed.DescriptorCorrupt', 'InvalidData', `${this.urlOf(DESCRIPTOR_BLOB)} is not a valid seed descriptor`, {
        targetObject: this.urlOf(DESCRIPTOR_BLOB),
        recommendedAction: 'Publish the seed again from the server: Publish-OfflineSeed -StagingPath ...',
      });
    }
    this.last = d;
    return d;
  }

  /** The descriptor, or OfflineSeed.SeedNotFound. */
  async require(): Promise<SeedDescriptor> {
    const d = await this.read();
    if (d === undefined) {
      throw new OfflineSeedError('OfflineSeed.SeedNotFound', 'ObjectNotFound', `no published seed at ${this.seedUri} (no ${this.blobName(DESCRIPTOR_BLOB)} in container ${this.azure.container})`, {
        targetObject: this.seedUri,
        recommendedAction: 'Publish the seed from the server first (Publish-OfflineSeed -StagingPath ...), and give the repository location it printed.',
      });
    }
    return d;
  }

  async update(change: (d: SeedDescriptor) => SeedDescriptor | undefined): Promise<SeedDescriptor | undefined> {
    // The descriptor (and ETag) of the command's first read guards the whole command: if another
    // writer changed the seed since, the decision this command made may be stale, so it must not write.
    const current = this.last ?? await this.read();
    if (current === undefined) return undefined;
    const next = change(current);
    if (next === undefined) return current;
    const written = { ...next, updatedAt: new Date().toISOString() };
    await this.writeJson(DESCRIPTOR_BLOB, written);
    this.last = written;
    return written;
  }

  async readShipping(): Promise<ShippingRecord | undefined> {
    const stored = await this.readJson<ShippingRecord>(SHIPPING_BLOB);
    if (stored === undefined) return undefined;
    if (stored.value.format !== 'offlineseed-shipping' || stored.value.version !== 1) {
      throw new OfflineSeedError('OfflineSeed.ShippingRecordCorrupt', 'InvalidData', `${this.urlOf(SHIPPING_BLOB)} is not a valid shipping record`, {
        targetObject: this.urlOf(SHIPPING_BLOB),
        recommendedAction: 'Run Update-ImportShipping again with the same carrier and tracking number: it is written again.',
      });
    }
    return stored.value;
  }

  async writeShipping(record: ShippingRecord): Promise<string> {
    return this.writeJson(SHIPPING_BLOB, record);
  }

  translate(error: unknown, what: string): OfflineSeedError {
    return storageError(error, what, this.seedUri, (detail) => new OfflineSeedError('OfflineSeed.SeedNotFound', 'ObjectNotFound', `${detail} (no such container)`, {
      targetObject: this.seedUri,
      recommendedAction: 'Publish the seed from the server first (Publish-OfflineSeed), and give the repository location it printed.',
      cause: error,
    }));
  }
}

async function streamToBuffer(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (stream === undefined) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}
