// The one way to turn a caught value into text for a log line or a message: the message only
// (stacks of fs and network errors carry nothing a user can act on); non-Errors as strings.
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
