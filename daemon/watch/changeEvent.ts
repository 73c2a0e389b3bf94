// What the watchers report to the service: classified changes, already mapped to the cache
// entries they concern. Paths are absolute.

export type ChangeEvent =
  /** <home>/config.toml */
  | { kind: 'config' }
  /** the home dir or collections/ appeared or disappeared */
  | { kind: 'home' }
  /** a directory under collections/ appeared or disappeared (its name) */
  | { kind: 'collectionAdded' | 'collectionRemoved'; collection: string }
  /** collections/<c>/collection.toml (its atomic-write temp files are not reported) */
  | { kind: 'manifest'; collection: string }
  /** collections/<c>/collection.lock */
  | { kind: 'lock'; collection: string }
  /** artifact files or folders of a collection */
  | { kind: 'collectionFiles'; collection: string; paths: string[] }
  /** a profile root's .skillmeat-deployed.toml changed, appeared or vanished */
  | { kind: 'tracker'; folder: string; file: string }
  /** deployed copies under a profile root */
  | { kind: 'deployedFiles'; folder: string; paths: string[] }
  /** a hidden directory appeared or disappeared at the folder root (or the folder itself did) */
  | { kind: 'profileRoots'; folder: string }
  /** too many changes or a watcher failure: everything in scope ('home' or a folder) may have changed */
  | { kind: 'overflow'; scope: 'home' | string };

export const TRACKER_FILE = '.skillmeat-deployed.toml';
