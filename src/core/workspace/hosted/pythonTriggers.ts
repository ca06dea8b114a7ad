// HTTP triggers of Python's v2 programming model: `@app.route(route=..., auth_level=func.AuthLevel.X)`
// on a function whose name is the def's or `@app.function_name(name=...)`'s. A trigger without a
// level takes its app's: `func.FunctionApp(http_auth_level=...)` (or a Blueprint's), FUNCTION by default.
import { functionLevelAccess, reportComputedLevel, tokenizedSource, type TriggerDraft, type TriggerReader } from './triggers';

const APP_TYPES = new Set(['FunctionApp', 'AsgiFunctionApp', 'WsgiFunctionApp', 'Blueprint']);
const ROUTE_DECORATORS = new Set(['route', 'http_type']);

interface AppDefault {
  level?: string;
  written?: string;
}

export const pythonTriggerReader: TriggerReader = {
  reads: (file) => file.toLowerCase().endsWith('.py'),
  read(file, ctx) {
    const source = tokenizedSource(file, ctx, 'azure.functions', 'python');
    if (!source) return [];
    const { tokens } = source;
    const apps = new Map<string, AppDefault>();
    const triggers: TriggerDraft[] = [];
    /** Triggers whose function (the next `def`) is not reached yet, and a name `function_name` gave them. */
    let pending: TriggerDraft[] = [];
    let pendingName: string | undefined;
    const levelOf = (range: [number, number]) => {
      const last = range[1] - 1;
      return last - range[0] >= 2 && tokens[last - 1].text === '.' && tokens[last - 2].text === 'AuthLevel' ? tokens[last].text : undefined;
    };
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      // `app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)`
      if (token.kind === 'identifier' && APP_TYPES.has(token.text) && tokens[i + 1]?.text === '(') {
        let start = i;
        while (start >= 2 && tokens[start - 1].text === '.') start -= 2;
        const variable = tokens[start - 2];
        if (tokens[start - 1]?.text !== '=' || variable?.kind !== 'identifier') continue;
        const level = source.keyedItems(i + 1, '=').get('http_auth_level');
        apps.set(variable.text, level ? { level: levelOf(level), written: source.textOf(level) } : {});
        continue;
      }
      if (token.text === 'def' && tokens[i + 1]?.kind === 'identifier') {
        for (const trigger of pending) trigger.name = pendingName ?? tokens[i + 1].text;
        triggers.push(...pending);
        pending = [];
        pendingName = undefined;
        continue;
      }
      // `@app.route(...)`, `@bp.function_name(name="x")`
      if (token.text !== '@' || tokens[i + 1]?.kind !== 'identifier' || tokens[i + 2]?.text !== '.' || tokens[i + 4]?.text !== '(') continue;
      const decorator = tokens[i + 3].text;
      const keyed = source.keyedItems(i + 4, '=');
      if (decorator === 'function_name') {
        pendingName = tokens[keyed.get('name')?.[0] ?? i + 5]?.value;
        continue;
      }
      if (!ROUTE_DECORATORS.has(decorator)) continue;
      const app = apps.get(tokens[i + 1].text);
      const routeRange = keyed.get('route');
      const route = routeRange && tokens[routeRange[0]].value;
      const level = keyed.get('auth_level');
      const location = { file, span: level ? source.spanOf(level) : source.spanOf([i + 1, i + 4]) };
      let trigger: TriggerDraft;
      if (level) {
        const member = levelOf(level);
        trigger = { name: '', host: 'function-app', access: member ? functionLevelAccess(member) : 'unknown', authLevel: source.textOf(level), location, route };
      } else if (app?.written !== undefined) {
        trigger = { name: '', host: 'function-app', access: app.level ? functionLevelAccess(app.level) : 'unknown', authLevel: app.written, defaulted: `auth_level is not set: the app's http_auth_level, ${app.written}, applies`, location, route };
      } else {
        trigger = { name: '', host: 'function-app', access: 'key', authLevel: 'FUNCTION', defaulted: 'neither the trigger nor its app sets a level: AuthLevel.FUNCTION applies', location, route };
      }
      pending.push(trigger);
    }
    for (const trigger of [...triggers, ...pending]) {
      trigger.name ||= pendingName ?? '(unnamed)';
      if (trigger.access === 'unknown') reportComputedLevel(ctx, file, trigger);
    }
    return [...triggers, ...pending];
  },
};
