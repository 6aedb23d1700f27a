/**
 * restic-style exclude patterns: `*` and `?` stay within one path component, `**` crosses them. A
 * pattern that does not start with "/" matches at any depth ("*.tmp", "cache/**"); an excluded folder
 * excludes everything in it.
 */
export type ExcludeMatcher = (absolutePath: string) => boolean;

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return out;
}

export function compileExcludes(patterns: readonly string[]): ExcludeMatcher {
  if (patterns.length === 0) return () => false;
  const regexes = patterns.map((raw) => {
    const p = raw.replace(/\\/g, '/').replace(/\/+$/, '');
    const body = globToRegex(p.startsWith('/') ? p.slice(1) : p);
    return new RegExp(p.startsWith('/') ? `^/${body}$` : `^(?:.*/)?${body}$`);
  });
  return (absolutePath) => {
    const path = absolutePath.replace(/\\/g, '/');
    return regexes.some((r) => r.test(path));
  };
}
