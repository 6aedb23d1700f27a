/** The repository password: given in the request, or as a file whose first line it is. Never logged. */
import { readFileSync } from 'node:fs';
import { OfflineSeedError } from '../protocol/errors.ts';
import { registerSecret } from '../protocol/secretRedactor.ts';

export interface PasswordParams {
  password?: string;
  passwordFile?: string;
}

export function resolvePassword(params: PasswordParams): string {
  if (params.password !== undefined && params.passwordFile !== undefined) {
    throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', 'params: give either password or passwordFile, not both', { targetObject: 'params.passwordFile' });
  }
  if (params.password !== undefined) return params.password;
  if (params.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(params.passwordFile, 'utf8');
    } catch {
      throw new OfflineSeedError('OfflineSeed.PasswordFileUnreadable', 'ReadError', `cannot read the password file ${params.passwordFile}`, { targetObject: params.passwordFile });
    }
    // Windows PowerShell 5.1 (Set-Content -Encoding UTF8) and Notepad write a BOM; it is not part of the password.
    const password = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
    if (password === '') throw new OfflineSeedError('OfflineSeed.PasswordFileEmpty', 'InvalidArgument', `the password file ${params.passwordFile} is empty`, { targetObject: params.passwordFile });
    registerSecret(password);
    return password;
  }
  throw new OfflineSeedError('OfflineSeed.PasswordRequired', 'InvalidArgument', 'params.password: the repository password is required (password or passwordFile)', {
    targetObject: 'params.password',
    recommendedAction: 'Pass -Password (a SecureString) or -PasswordFile.',
  });
}
