// HTTP triggers of C# functions, in-process (`[FunctionName("x")]`) and isolated worker
// (`[Function("x")]`): `[HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "...")]`, the level
// also as `AuthLevel = ...`. Both attributes default to `AuthorizationLevel.Function`.
import { functionLevelAccess, reportComputedLevel, tokenizedSource, type TriggerDraft, type TriggerReader } from './triggers';

const ATTRIBUTES = new Set(['HttpTrigger', 'HttpTriggerAttribute']);
const NAME_ATTRIBUTES = new Set(['Function', 'FunctionName', 'FunctionAttribute', 'FunctionNameAttribute']);
const LEVEL_TYPE = 'AuthorizationLevel';

export const csharpTriggerReader: TriggerReader = {
  reads: (file) => file.toLowerCase().endsWith('.cs'),
  read(file, ctx) {
    const source = tokenizedSource(file, ctx, 'HttpTrigger', 'c');
    if (!source) return [];
    const { tokens } = source;
    const triggers: TriggerDraft[] = [];
    // The name of the function whose attributes come last: `[Function("x")]` precedes its parameters' attributes.
    let functionName: string | undefined;
    for (let i = 0; i + 1 < tokens.length; i++) {
      const token = tokens[i];
      if (token.kind !== 'identifier' || tokens[i + 1].text !== '(') continue;
      // Attributes follow `[`, `,` or a namespace's `.` (`[Microsoft.Azure.Functions.Worker.HttpTrigger(...)]`).
      const previous = tokens[i - 1]?.text;
      if (previous !== '[' && previous !== ',' && previous !== '.') continue;
      if (NAME_ATTRIBUTES.has(token.text)) {
        const first = source.items(i + 1).items[0];
        const nameToken = first && tokens[first[0]];
        functionName = nameToken?.kind === 'string' && nameToken.value !== undefined ? nameToken.value : first && source.textOf(first);
        continue;
      }
      if (!ATTRIBUTES.has(token.text)) continue;
      const name = functionName ?? '(unnamed)';
      let level: [number, number] | undefined;
      let route: string | undefined;
      for (const item of source.items(i + 1).items) {
        const [first, last] = item;
        if (tokens[first].text === 'AuthLevel' && tokens[first + 1]?.text === '=') level = [first + 2, last];
        else if (tokens[first].text === 'Route' && tokens[first + 1]?.text === '=') route = tokens[first + 2]?.value;
        else if (level === undefined && tokens[first].kind !== 'string' && tokens[first + 1]?.text !== '=') level = item;
      }
      if (!level) {
        const location = { file, span: token.span };
        triggers.push({ name, host: 'function-app', access: 'key', authLevel: 'Function', defaulted: 'the attribute sets no level: AuthorizationLevel.Function applies', location, route });
        continue;
      }
      const written = source.textOf(level);
      // `AuthorizationLevel.Anonymous`, possibly namespace-qualified.
      const member = level[1] - level[0] >= 3 && tokens[level[1] - 2].text === '.' && tokens[level[1] - 3].text === LEVEL_TYPE ? tokens[level[1] - 1].text : undefined;
      const trigger: TriggerDraft = { name, host: 'function-app', access: member === undefined ? 'unknown' : functionLevelAccess(member), authLevel: written, location: { file, span: source.spanOf(level) }, route };
      if (trigger.access === 'unknown') reportComputedLevel(ctx, file, trigger);
      triggers.push(trigger);
    }
    return triggers;
  },
};
