/**
 * Last line of defence for "never print a secret": every secret that arrives in a request is
 * registered here, and every line the engine writes passes through redact(). Code must still never
 * put a secret into a message; this catches the mistake if it does.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('***');
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret && out.includes(escaped)) out = out.split(escaped).join('***');
  }
  return out;
}

export function clearSecrets(): void {
  secrets.clear();
}
