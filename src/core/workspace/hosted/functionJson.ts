// HTTP triggers of `function.json` (every language before Node v4 and Python v2, and custom
// handlers): a binding of type `httpTrigger`, the function named by its folder. An unset authLevel
// is `function` (the Functions host's default).
import * as path from 'path';
import { isObject, isString } from '../declaration';
import { functionLevelAccess, reportComputedLevel, type TriggerDraft, type TriggerReader } from './triggers';

export const functionJsonReader: TriggerReader = {
  reads: (file) => path.basename(file).toLowerCase() === 'function.json',
  read(file, ctx) {
    const document = ctx.parseDocument(file);
    const bindings = isObject(document?.value) ? document.value.bindings : undefined;
    if (!document || !Array.isArray(bindings)) return [];
    const name = path.basename(path.dirname(file));
    const triggers: TriggerDraft[] = [];
    bindings.forEach((binding, index) => {
      if (!isObject(binding) || !isString(binding.type) || binding.type.toLowerCase() !== 'httptrigger') return;
      const level = binding.authLevel;
      const levelSpan = document.valueSpan(['bindings', index, 'authLevel']);
      const location = { file, span: levelSpan ?? document.valueSpan(['bindings', index, 'type']) ?? { start: 0, end: 0 } };
      const route = isString(binding.route) ? binding.route : undefined;
      const trigger: TriggerDraft =
        level === undefined
          ? { name, host: 'function-app', access: 'key', authLevel: 'function', defaulted: 'authLevel is not set: the Functions host’s default, function, applies', location, route }
          : { name, host: 'function-app', access: isString(level) ? functionLevelAccess(level) : 'unknown', authLevel: isString(level) ? level : JSON.stringify(level), location, route };
      if (trigger.access === 'unknown') reportComputedLevel(ctx, file, trigger);
      triggers.push(trigger);
    });
    return triggers;
  },
};
