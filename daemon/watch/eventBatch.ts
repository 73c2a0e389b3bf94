// Coalesces the classified events of one debounce window: one event per kind and collection or
// folder, path lists merged and capped, and a scope that sees too many paths collapses into one
// `overflow` (a `git checkout` of thousands of files is one recomputation, not thousands).
import type { ChangeEvent } from './changeEvent';

export const DEFAULT_MAX_PATHS_PER_EVENT = 200;

function scopeOf(e: ChangeEvent): string {
  switch (e.kind) {
    case 'overflow':
      return e.scope;
    case 'tracker':
    case 'deployedFiles':
    case 'profileRoots':
      return e.folder;
    default:
      return 'home';
  }
}

function keyOf(e: ChangeEvent): string {
  switch (e.kind) {
    case 'config':
    case 'home':
      return e.kind;
    case 'collectionAdded':
    case 'collectionRemoved':
    case 'manifest':
    case 'lock':
    case 'collectionFiles':
      return `${e.kind}\0${e.collection}`;
    case 'tracker':
      return `${e.kind}\0${e.folder}\0${e.file}`;
    case 'deployedFiles':
    case 'profileRoots':
      return `${e.kind}\0${e.folder}`;
    case 'overflow':
      return `${e.kind}\0${e.scope}`;
  }
}

export class EventBatch {
  private readonly events = new Map<string, ChangeEvent>();
  private readonly paths = new Map<string, Set<string>>();
  private readonly overflowed = new Set<string>();
  private raw = 0;

  constructor(private readonly maxPaths = DEFAULT_MAX_PATHS_PER_EVENT) {}

  get size(): number {
    return this.raw;
  }

  add(e: ChangeEvent): void {
    this.raw++;
    const scope = scopeOf(e);
    if (this.overflowed.has(scope)) return;
    if (e.kind === 'overflow') {
      this.overflow(scope);
      return;
    }
    const key = keyOf(e);
    if (e.kind === 'collectionFiles' || e.kind === 'deployedFiles') {
      let set = this.paths.get(key);
      if (!set) {
        set = new Set();
        this.paths.set(key, set);
        this.events.set(key, e);
      }
      for (const p of e.paths) set.add(p);
      if (set.size > this.maxPaths) this.overflow(scope);
      return;
    }
    // an added-then-removed collection within one window: the last word is what is on disk now
    if (e.kind === 'collectionAdded' || e.kind === 'collectionRemoved') {
      const other = e.kind === 'collectionAdded' ? 'collectionRemoved' : 'collectionAdded';
      this.events.delete(`${other}\0${e.collection}`);
    }
    this.events.set(key, e);
  }

  /** Drops what the scope's overflow subsumes; later events of that scope are ignored. */
  overflow(scope: string): void {
    this.overflowed.add(scope);
    for (const [key, e] of this.events) {
      if (scopeOf(e) === scope) {
        this.events.delete(key);
        this.paths.delete(key);
      }
    }
    this.events.set(`overflow\0${scope}`, { kind: 'overflow', scope });
  }

  /** Drops everything about a folder that is no longer watched. */
  forget(scope: string): void {
    for (const [key, e] of this.events) {
      if (scopeOf(e) === scope) {
        this.events.delete(key);
        this.paths.delete(key);
      }
    }
    this.overflowed.delete(scope);
  }

  take(): ChangeEvent[] {
    const out: ChangeEvent[] = [];
    for (const [key, e] of this.events) {
      const set = this.paths.get(key);
      if (set && (e.kind === 'collectionFiles' || e.kind === 'deployedFiles')) out.push({ ...e, paths: [...set] });
      else out.push(e);
    }
    this.events.clear();
    this.paths.clear();
    this.overflowed.clear();
    this.raw = 0;
    return out;
  }
}
