// APIOps publisher configurations (`configuration.<environment>.yaml`) name the API Management
// instance an environment is published to (`apimServiceName`). In a repository of several roots
// (`envs/dev`, `envs/prod`), the configuration of a root's environment says which deployed service it is.
import * as path from 'path';
import type { DocumentReader } from '../parse/index';
import { relativeOrSelf } from './files';

const PUBLISHER_CONFIGURATION = /^configuration\.([^.]+)\.ya?ml$/i;

/**
 * The service the publisher configuration of an APIOps root names, with the file (relative to
 * `scanRoot`): a `configuration.<env>.yaml` in the root or a folder above it (up to `scanRoot`)
 * whose `<env>` is one of the root's folder names, or the only one in the root itself. Undefined
 * when none does, or when they name different services.
 */
export function publisherServiceName(scanRoot: string, apiopsRoot: string, files: readonly string[], documents: DocumentReader): { deployed: string; source: string } | undefined {
  const named = new Map<string, { deployed: string; source: string }>();
  const inRoot = files.filter((file) => path.dirname(file) === apiopsRoot && environmentOf(file) !== undefined);
  for (const file of files) {
    const environment = environmentOf(file);
    const folder = path.dirname(file);
    if (environment === undefined || !isAtOrAbove(scanRoot, folder) || !isAtOrAbove(folder, apiopsRoot)) continue;
    const segments = path.relative(folder, apiopsRoot).split(path.sep).map((segment) => segment.toLowerCase());
    if (!segments.includes(environment) && !(folder === apiopsRoot && inRoot.length === 1)) continue;
    const value = documents.parse(file).document?.value;
    const name = typeof value === 'object' && value !== null && 'apimServiceName' in value ? value.apimServiceName : undefined;
    if (typeof name === 'string' && name.trim() && !named.has(name.trim().toLowerCase())) named.set(name.trim().toLowerCase(), { deployed: name.trim(), source: relativeOrSelf(scanRoot, file) });
  }
  return named.size === 1 ? [...named.values()][0] : undefined;
}

/** `prod` for `configuration.prod.yaml`; the extractor's configuration names no environment. */
function environmentOf(file: string): string | undefined {
  const environment = PUBLISHER_CONFIGURATION.exec(path.basename(file))?.[1].toLowerCase();
  return environment === 'extractor' ? undefined : environment;
}

function isAtOrAbove(folder: string, below: string): boolean {
  return below === folder || below.startsWith(folder + path.sep);
}
