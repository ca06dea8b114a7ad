import * as fs from 'fs';
import * as path from 'path';
import type { ApiResource, ApimService } from '../../../src/core/model';
import type { SourceLocation } from '../../../src/core/text';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/workspace');
// A copy of the Azure/apiops sample export (MIT, see its LICENSE.apiops), so the tests need nothing outside the repository.
export const APIOPS_SAMPLE = path.join(__dirname, '..', '..', 'fixtures', 'apiops-sample');

/** The text a location points at. */
export function slice(location: SourceLocation | undefined): string | undefined {
  if (!location) return undefined;
  return fs.readFileSync(location.file, 'utf8').slice(location.span.start, location.span.end);
}

export function api(service: ApimService, name: string): ApiResource {
  const found = service.apis.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no API '${name}' in ${service.apis.map((a) => a.name).join(', ')}`);
  return found;
}

export function byName<T extends { name: string }>(resources: readonly T[], name: string): T {
  const found = resources.find((resource) => resource.name === name);
  if (!found) throw new Error(`no '${name}' in ${resources.map((r) => r.name).join(', ')}`);
  return found;
}

/** Operations as `name METHOD url`, in model order. */
export function operationSummary(resource: ApiResource): string[] {
  return resource.operations.map((operation) => `${operation.name} ${operation.method} ${operation.urlTemplate}`);
}

/** Problems as `kind relative/path`, sorted. */
export function problemSummary(service: ApimService, root: string): string[] {
  return service.problems.map((problem) => `${problem.kind} ${path.relative(root, problem.file).split(path.sep).join('/')}`).sort();
}
