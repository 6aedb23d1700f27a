/**
 * One mapping of storage failures (azureBackend's storageError) for the repository backend and the
 * published seed store. The seed store had its own copy, which took an authentication failure reported
 * only by its error code (no 401/403 status: a HEAD answer carries it in x-ms-error-code) for an outage
 * ("run again later"). No service needed: the errors are made here, as the SDK throws them.
 */
import { RestError } from '@azure/storage-blob';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { storageError } from '../../engine/blob/azureBackend.ts';
import { OfflineSeedError } from '../../engine/protocol/errors.ts';
import { BlobSeedStore } from '../../engine/seed/blobSeedStore.ts';

const store = BlobSeedStore.open('azure://seedstore/seeds/rb', { storageAccountKey: Buffer.alloc(64, 1).toString('base64') });
const notFound = (detail: string): OfflineSeedError => new OfflineSeedError('OfflineSeed.ContainerNotFound', 'ObjectNotFound', detail);

const authByCodeOnly = (): RestError => new RestError('Server failed to authenticate the request.', { code: 'AuthenticationFailed' });

test('the seed store: an authentication failure known only by its error code is StorageAccessDenied, not an outage', () => {
  const error = store.translate(authByCodeOnly(), 'read descriptor.json');
  assert.is(error.errorId, 'OfflineSeed.StorageAccessDenied');
  assert.is(error.category, 'PermissionDenied');
});

test('the seed store: 404 is SeedNotFound (no such container), 500 StorageUnavailable, 403 StorageAccessDenied', () => {
  assert.is(store.translate(new RestError('The specified container does not exist.', { statusCode: 404 }), 'read').errorId, 'OfflineSeed.SeedNotFound');
  assert.match(store.translate(new RestError('gone', { statusCode: 404 }), 'read').message, /no such container/);
  assert.is(store.translate(new RestError('busy', { statusCode: 500 }), 'read').errorId, 'OfflineSeed.StorageUnavailable');
  assert.is(store.translate(new RestError('denied', { statusCode: 403 }), 'read').errorId, 'OfflineSeed.StorageAccessDenied');
});

test('the repository backend maps the same failures the same way; only what 404 means is its own', () => {
  assert.is(storageError(authByCodeOnly(), 'stat config', 'azure://a/c/p', notFound).errorId, 'OfflineSeed.StorageAccessDenied');
  assert.is(storageError(new RestError('gone', { statusCode: 404 }), 'stat config', 'azure://a/c/p', notFound).errorId, 'OfflineSeed.ContainerNotFound');
  const mine = new OfflineSeedError('OfflineSeed.Cancelled', 'OperationStopped', 'cancelled');
  assert.is(storageError(mine, 'stat config', 'azure://a/c/p', notFound), mine, 'an error of ours passes through');
});

test('no credential at all (no token from the identity chain) is AzureAuthenticationFailed, as for ARM, not "the service did not answer, run again"', () => {
  for (const name of ['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationError']) {
    const noToken = Object.assign(new Error('ChainedTokenCredential authentication failed.'), { name });
    const error = storageError(noToken, 'stat config', 'azure://a/c/p', notFound);
    assert.is(error.errorId, 'OfflineSeed.AzureAuthenticationFailed', name);
    assert.is(error.category, 'AuthenticationError');
    assert.match(error.message, /no access token for Azure Storage/);
    assert.is(store.translate(noToken, 'read descriptor.json').errorId, 'OfflineSeed.AzureAuthenticationFailed', name);
  }
  assert.is(storageError(new Error('socket hang up'), 'stat config', 'azure://a/c/p', notFound).errorId, 'OfflineSeed.StorageUnavailable');
});

test.run();
