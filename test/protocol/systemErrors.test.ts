/** fromSystemError: a system error becomes a stable id, and its message names the path only when there is one. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromSystemError } from '../../engine/protocol/errors.ts';

function systemError(code: string, path?: string): NodeJS.ErrnoException {
  const error = new Error(`${code}: something`) as NodeJS.ErrnoException;
  error.code = code;
  if (path !== undefined) error.path = path;
  return error;
}

test('an error that names no path (a read on a descriptor) gives a message without a dangling colon', () => {
  const folder = fromSystemError(systemError('EISDIR'));
  assert.is(folder?.errorId, 'OfflineSeed.PathIsFolder');
  assert.is(folder?.message, 'A folder where a file was expected');
  assert.is(folder?.targetObject, undefined);
  assert.is(fromSystemError(systemError('ENOSPC'))?.message, 'No space left on the device');
  assert.is(fromSystemError(systemError('EACCES'))?.message, 'Access denied');
});

test('the path comes from the error, or from the caller when the error has none', () => {
  assert.is(fromSystemError(systemError('ENOENT', '/srv/x'))?.message, 'Not found: /srv/x');
  const named = fromSystemError(systemError('EISDIR'), '/etc/profile.json');
  assert.is(named?.message, 'A folder where a file was expected: /etc/profile.json');
  assert.is(named?.targetObject, '/etc/profile.json');
  assert.is(fromSystemError(systemError('ENOSPC', '/d/f'))?.message, 'No space left on the device while writing /d/f');
});

test.run();
