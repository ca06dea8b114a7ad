// HTTP triggers of Node's v4 programming model, in JavaScript and TypeScript:
// `app.http('name', { authLevel: 'anonymous', route, methods, handler })` and its shorthands
// `app.get(...)`, `app.post(...)`. The v4 model's default level is `anonymous` (@azure/functions'
// `trigger.http` writes `authLevel: options.authLevel || 'anonymous'`).
import { functionLevelAccess, reportComputedLevel, tokenizedSource, type TriggerDraft, type TriggerReader } from './triggers';

const SOURCE_EXTENSION = /\.(?:[cm]?js|[cm]?ts)$/i;
const DECLARATION_FILE = /\.d\.[cm]?ts$/i;
/** `app.<method>(...)` registers an HTTP function; `app.http` takes any methods. */
const HTTP_METHODS = new Set(['http', 'get', 'put', 'post', 'patch', 'deleteRequest']);
const DEFAULT_LEVEL = 'the v4 model’s default, anonymous, applies: authLevel is not set';

export const nodeTriggerReader: TriggerReader = {
  reads: (file) => SOURCE_EXTENSION.test(file) && !DECLARATION_FILE.test(file),
  read(file, ctx) {
    const source = tokenizedSource(file, ctx, '@azure/functions', 'c');
    if (!source) return [];
    const { tokens } = source;
    const triggers: TriggerDraft[] = [];
    for (let i = 0; i + 3 < tokens.length; i++) {
      if (tokens[i].text !== 'app' || tokens[i + 1].text !== '.' || !HTTP_METHODS.has(tokens[i + 2].text) || tokens[i + 3].text !== '(') continue;
      // `x.app.get(...)` is some other object's.
      if (tokens[i - 1]?.text === '.') continue;
      const { items } = source.items(i + 3);
      if (items.length === 0) continue;
      const nameToken = tokens[items[0][0]];
      const name = nameToken.kind === 'string' && items[0][1] - items[0][0] === 1 && nameToken.value !== undefined ? nameToken.value : source.textOf(items[0]);
      const nameLocation = { file, span: source.spanOf(items[0]) };
      const options = items[1];
      if (!options || tokens[options[0]].text !== '{') {
        const trigger: TriggerDraft = { name, host: 'function-app', access: 'unknown', authLevel: options ? source.textOf(options) : '(no options)', location: nameLocation };
        triggers.push(trigger);
        reportComputedLevel(ctx, file, trigger);
        continue;
      }
      const keyed = source.keyedItems(options[0], ':');
      const routeRange = keyed.get('route');
      const route = routeRange && tokens[routeRange[0]].kind === 'string' ? tokens[routeRange[0]].value : undefined;
      const level = keyed.get('authLevel');
      const spread = source.items(options[0]).items.some(([first]) => tokens[first].text === '.');
      if (!level) {
        // A spread may bring authLevel in from elsewhere.
        const trigger: TriggerDraft = spread
          ? { name, host: 'function-app', access: 'unknown', authLevel: source.textOf(options), location: nameLocation, route }
          : { name, host: 'function-app', access: 'anonymous', authLevel: 'anonymous', defaulted: DEFAULT_LEVEL, location: nameLocation, route };
        if (spread) reportComputedLevel(ctx, file, trigger);
        triggers.push(trigger);
        continue;
      }
      const value = tokens[level[0]];
      const written = value.kind === 'string' && level[1] - level[0] === 1 ? value.value : undefined;
      const trigger: TriggerDraft = {
        name,
        host: 'function-app',
        access: written === undefined ? 'unknown' : functionLevelAccess(written),
        authLevel: written ?? source.textOf(level),
        location: { file, span: source.spanOf(level) },
        route,
      };
      if (trigger.access === 'unknown') reportComputedLevel(ctx, file, trigger);
      triggers.push(trigger);
    }
    return triggers;
  },
};

