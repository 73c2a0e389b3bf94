// SkillMeat compares artifact names with one "document" extension stripped, because marketplace
// imports keep `.md` in the name and deploy it again as `name.md.md`.
const STRIPPED = ['.md', '.txt', '.json', '.yaml', '.yml'];

export function stripExtension(name: string): string {
  const lower = name.toLowerCase();
  for (const ext of STRIPPED) {
    if (lower.endsWith(ext) && name.length > ext.length) return name.slice(0, -ext.length);
  }
  return name;
}

export function sameArtifactName(a: string, b: string): boolean {
  return a === b || stripExtension(a) === stripExtension(b);
}
