// Writes a confirmed local ↔ deployed API mapping into `.apim-posture.json` (`"mappings"`), where it
// wins over every heuristic (src/core/azure/mapping.ts).
import { parseTree, findNodeAtLocation } from 'jsonc-parser';
import type { ExplicitMapping } from '../azure/mapping';
import type { FileEdit } from '../text';
import { configEdit } from './configFile';

/**
 * Maps the local API `mapping.local` to `mapping.deployed`, replacing an earlier mapping of the same
 * local API; with `deployed` undefined, removes the local API's explicit mapping.
 */
export function mappingEdit(root: string, configText: string | undefined, mapping: { local: string; deployed?: string }): FileEdit | undefined {
  const existing = configText ? existingMappings(configText) : [];
  const index = existing.findIndex((entry) => entry?.local === mapping.local);
  if (mapping.deployed === undefined) return index < 0 ? undefined : configEdit(root, configText, ['mappings', index], undefined);
  const entry: ExplicitMapping = { local: mapping.local, deployed: mapping.deployed };
  return configEdit(root, configText, ['mappings', index < 0 ? -1 : index], entry);
}

function existingMappings(configText: string): (Partial<ExplicitMapping> | undefined)[] {
  const node = findNodeAtLocation(parseTree(configText) ?? { type: 'null', offset: 0, length: 0 }, ['mappings']);
  if (node?.type !== 'array') return [];
  return (node.children ?? []).map((child) => {
    const local = findNodeAtLocation(child, ['local'])?.value as unknown;
    return typeof local === 'string' ? { local } : undefined;
  });
}
