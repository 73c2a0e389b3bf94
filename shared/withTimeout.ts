// One time bound for a promise, shared by the client and the CLI's daemon listing: the timer is
// always cleared, so a settled promise never keeps a process alive.

export function withTimeout<T>(p: PromiseLike<T>, ms: number, what: string, error?: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(error ? error() : new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
