// An auth policy snippet refers to named values (`{{tenant-id}}`); in an APIOps repository the fix
// can also declare the ones the service lacks, as placeholders for the team to fill in.
import * as path from 'path';
import type { FileEdit } from '../text';
import type { ApimService } from '../model';

/** Files that declare the named values of `names` the service does not have yet (APIOps layouts only). */
export function missingNamedValueEdits(service: ApimService, names: readonly string[]): FileEdit[] {
  if (service.layout !== 'apiops' && service.layout !== 'apiops-cli') return [];
  const known = new Set(service.namedValues.flatMap((namedValue) => [namedValue.name, namedValue.displayName ?? namedValue.name]));
  const folder = service.layout === 'apiops' ? 'named values' : 'namedValues';
  return names
    .filter((name) => !known.has(name))
    .map((name) => ({
      file: path.join(service.root, folder, name, 'namedValueInformation.json'),
      create: true,
      edits: [{ span: { start: 0, end: 0 }, newText: JSON.stringify({ properties: { displayName: name, secret: false, value: `<set ${name}>`, tags: ['apim-posture'] } }, null, 2) + '\n' }],
    }));
}
