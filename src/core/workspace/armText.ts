// Text written inside JSON strings of ARM templates (policies, expressions), kept in step with the
// template's offsets: a JSON escape is several characters in the file for one in the value, so each
// character of a value carries its offset in the file.
import type { Span } from '../text';

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The characters of the JSON string at `span` (quotes included) in `text`, each with its offset in `text`. */
export function decodeJsonString(text: string, span: Span): { value: string; offsets: number[] } {
  let value = '';
  const offsets: number[] = [];
  const end = span.end - 1;
  for (let position = span.start + 1; position < end; position++) {
    const char = text[position];
    offsets.push(position);
    if (char !== '\\') {
      value += char;
      continue;
    }
    const escape = text[position + 1];
    if (escape === 'u') {
      value += String.fromCharCode(parseInt(text.slice(position + 2, position + 6), 16));
      position += 5;
    } else {
      value += SIMPLE_ESCAPES[escape] ?? escape;
      position += 1;
    }
  }
  return { value, offsets };
}

/**
 * A text in which the characters of `value` stand at or before their offsets in the file: blank
 * (line breaks kept) up to the first, then the characters, moved forward to their exact offset at
 * each place where spaces change nothing an XML reader sees (before `<`, before the `>` or `/>`
 * that ends a tag, before an attribute's opening quote). So an XML parse of it has offsets into the
 * template: exact at tags, a few characters early inside a tag after escaped quotes.
 */
export function placeXmlText(fileText: string, value: string, offsets: readonly number[]): string {
  const out: string[] = [fileText.slice(0, offsets[0] ?? 0).replace(/[^\n]/g, ' ')];
  let length = out[0].length;
  let previous = '';
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    const isSync =
      char === '<' ||
      (char === '>' && previous !== '/' && previous !== '-' && previous !== ']' && previous !== '?') ||
      (char === '/' && value[index + 1] === '>') ||
      ((char === '"' || char === "'") && previous === '=');
    if (isSync && length < offsets[index]) {
      out.push(' '.repeat(offsets[index] - length));
      length = offsets[index];
    }
    out.push(char);
    length++;
    previous = char;
  }
  return out.join('');
}
