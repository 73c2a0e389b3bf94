// What every node of both views shows, whatever it stands for. Pure (no vscode import): the models
// build it, iconSpec.ts turns it into a TreeItem.
import type { IconSpec } from './syncStatusText';

export interface NodeView {
  /** stable across refreshes: VS Code keeps expansion and selection by it */
  id: string;
  label: string;
  description?: string;
  /** Markdown */
  tooltip?: string;
  icon?: IconSpec;
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
}
