// Defence in depth for the GitHub token: every line the daemon logs and every error message it
// sends goes through here, so a token that slips into an exception text is still never written.
const secrets = new Set<string>();

const TOKEN_PATTERNS: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{16,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /(authorization["']?\s*[:=]\s*["']?)(?:token|bearer)?\s*[^\s"',}]+/gi,
  /(https?:\/\/)[^/@\s:]+:[^/@\s]+@/g,
];

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function forgetSecret(value: string | undefined | null): void {
  if (value) secrets.delete(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('***');
  }
  out = out.replace(TOKEN_PATTERNS[0], '***').replace(TOKEN_PATTERNS[1], '***');
  out = out.replace(TOKEN_PATTERNS[2], '$1***');
  out = out.replace(TOKEN_PATTERNS[3], '$1***@');
  return out;
}
