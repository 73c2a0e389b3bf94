// The one Logger shape: the daemon's FileLogger (daemon/log.ts) implements it; caches, watchers and
// the upstream code depend only on the shape.

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

export { errorMessage } from '../../shared/errors';
