// Keeps tree nodes stable across refreshes: VS Code re-renders an element in place when the same
// object is fired, so a refresh mutates the old nodes and reports only the ones that really changed.

export interface ReconcilableNode<T> {
  id: string;
  children: T[];
}

export interface ReconcileResult<T> {
  /** the roots to serve from now on (the old objects where the structure was kept) */
  roots: T[];
  /** nodes whose own fields or child list changed; 'all' when the root list itself changed */
  changed: T[] | 'all';
}

function ownFields(node: object): string {
  return JSON.stringify(node, (key, value: unknown) => (key === 'children' ? undefined : value));
}

function sameIds<T extends ReconcilableNode<T>>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((n, i) => n.id === b[i]?.id);
}

function merge<T extends ReconcilableNode<T>>(target: T, source: T, changed: T[]): void {
  const fieldsDiffer = ownFields(target) !== ownFields(source);
  const structureKept = sameIds(target.children, source.children);
  if (fieldsDiffer) {
    // Drop keys that vanished (e.g. an optional description) before copying the new ones.
    for (const key of Object.keys(target) as (keyof T)[]) {
      if (key !== 'children' && !(key in source)) delete target[key];
    }
    for (const key of Object.keys(source) as (keyof T)[]) {
      if (key !== 'children') target[key] = source[key];
    }
  }
  if (!structureKept) {
    target.children = source.children;
    changed.push(target);
    return;
  }
  if (fieldsDiffer) changed.push(target);
  target.children.forEach((child, i) => merge(child, source.children[i] as T, changed));
}

export function reconcileTree<T extends ReconcilableNode<T>>(oldRoots: T[], newRoots: T[]): ReconcileResult<T> {
  if (!sameIds(oldRoots, newRoots)) return { roots: newRoots, changed: 'all' };
  const changed: T[] = [];
  oldRoots.forEach((root, i) => merge(root, newRoots[i] as T, changed));
  return { roots: oldRoots, changed };
}
