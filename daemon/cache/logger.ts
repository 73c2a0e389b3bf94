// The daemon's logger (daemon/log.ts) satisfies this; caches and watchers only depend on the shape.

export interface Logger {
  debug(m: string): void;
  info(m: string): void;
  warn(m: string): void;
  error(m: string): void;
}

export const nullLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Error text for logs: the message only, since stacks of fs errors carry nothing useful. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
