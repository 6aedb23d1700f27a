/**
 * Azure naming rules, checked before any data is read so a typo fails in the first second, not after
 * hours of staging. Each returns undefined when valid, or the reason.
 */
export function jobNameProblem(name: string): string | undefined {
  if (!/^[a-z]/.test(name)) return 'must start with a lowercase letter';
  if (!/^[a-z0-9-]+$/.test(name)) return 'may contain only lowercase letters, digits and hyphens';
  if (name.length < 2 || name.length > 64) return 'must be 2 to 64 characters long';
  return undefined;
}

export function storageAccountProblem(name: string): string | undefined {
  if (!/^[a-z0-9]+$/.test(name)) return 'may contain only lowercase letters and digits';
  if (name.length < 3 || name.length > 24) return 'must be 3 to 24 characters long';
  return undefined;
}

export function containerNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9-]+$/.test(name)) return 'may contain only lowercase letters, digits and hyphens';
  if (!/^[a-z0-9]/.test(name) || name.endsWith('-')) return 'must start and end with a letter or digit';
  if (name.includes('--')) return 'must not contain two hyphens in a row';
  return undefined;
}

/** A blob prefix names a virtual folder: no empty, "." or ".." segments, no backslashes. */
export function blobPrefixProblem(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  if (prefix.includes('\\')) return 'must use "/" between folders, not "\\"';
  if (prefix.startsWith('/')) return 'must not start with "/"';
  const segments = prefix.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'must not contain empty, "." or ".." segments';
  if (prefix.length > 512) return 'must be at most 512 characters';
  if (/[\u0000-\u001f\u007f]/.test(prefix)) return 'must not contain control characters';
  return undefined;
}

export function normalizeBlobPrefix(prefix: string | undefined): string {
  return (prefix ?? '').replace(/\/+$/, '');
}

export function subscriptionIdProblem(id: string): string | undefined {
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id) ? undefined : 'must be a GUID such as 00000000-0000-0000-0000-000000000000';
}

export function resourceGroupProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 90) return 'must be 1 to 90 characters long';
  if (!/^[-\w.()]+$/u.test(name)) return 'may contain only letters, digits, underscores, hyphens, periods and parentheses';
  if (name.endsWith('.')) return 'must not end with a period';
  return undefined;
}
