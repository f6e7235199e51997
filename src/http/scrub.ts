/** What a secret is replaced with in every response body. */
export const REDACTED = '[redacted]';

/** The forms a secret takes in a body: raw, escaped inside a JSON or Prometheus string, and URL-encoded. */
function spellings(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
}

/**
 * Builds a function that replaces every configured secret in a text with
 * `[redacted]`. Empty strings are ignored (they would match everywhere);
 * longer spellings go first so a secret that contains another is masked whole.
 */
export function secretScrubber(secrets: readonly string[]): (text: string) => string {
  const needles = [...new Set(secrets.filter((s) => s.length > 0).flatMap(spellings))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => needles.reduce((masked, needle) => masked.replaceAll(needle, REDACTED), text);
}
