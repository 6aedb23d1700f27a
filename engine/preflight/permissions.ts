/**
 * Azure RBAC as the permissions API reports it (Microsoft.Authorization/permissions: one entry per
 * role assignment, each with actions/notActions and dataActions/notDataActions, "*" wildcards, case
 * insensitive). An operation is allowed when some entry grants it and that same entry does not
 * exclude it: notActions subtract within their role only, they are not deny assignments.
 */
export interface Permission {
  actions?: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
}

function matches(pattern: string, operation: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(operation);
}

export function isAllowed(permissions: readonly Permission[], operation: string, kind: 'action' | 'dataAction' = 'action'): boolean {
  return permissions.some((p) => {
    const grants = kind === 'action' ? p.actions : p.dataActions;
    const excludes = kind === 'action' ? p.notActions : p.notDataActions;
    return (grants ?? []).some((g) => matches(g, operation)) && !(excludes ?? []).some((n) => matches(n, operation));
  });
}

export function missingOperations(permissions: readonly Permission[], operations: readonly string[], kind: 'action' | 'dataAction' = 'action'): string[] {
  return operations.filter((o) => !isAllowed(permissions, o, kind));
}
