// Writes a suppression into the repository's `.apim-posture.json`, so the decision lives in git.
import type { FileEdit } from '../text';
import { configEdit } from './configFile';

export interface NewSuppression {
  rule: string;
  resource: string;
  reason: string;
  expires?: string;
  /** The root whose findings it holds for (`envs/prod`); every root's when absent. */
  service?: string;
}

/** Appends a suppression; `configText` is the file's current text, undefined when it does not exist. */
export function suppressionEdit(root: string, configText: string | undefined, suppression: NewSuppression): FileEdit {
  const entry = {
    rule: suppression.rule,
    resource: suppression.resource,
    reason: suppression.reason,
    ...(suppression.expires ? { expires: suppression.expires } : {}),
    ...(suppression.service !== undefined ? { service: suppression.service } : {}),
  };
  return configEdit(root, configText, ['suppressions', -1], entry);
}
