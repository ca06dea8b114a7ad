import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { MAX_NESTING_DEPTH } from '../../../src/core/limits';
import { literalString, parseHcl, type HclExpression } from '../../../src/core/workspace/hclParser';
import type { Span } from '../../../src/core/text';
import { FIXTURES } from './helpers';

const at = (text: string, span: Span) => text.slice(span.start, span.end);

describe('parseHcl', () => {
  it('reads blocks with labels, attributes and nested blocks, with their spans', () => {
    const text = [
      '# comment',
      'resource "azurerm_api_management_api" "orders" {',
      '  name      = "orders" // trailing',
      '  protocols = ["http", "https"]',
      '  /* a',
      '     block comment */',
      '  import {',
      '    content_format = "openapi"',
      '  }',
      '}',
      'locals { a = 1 }',
    ].join('\n');
    const { body, skipped } = parseHcl(text);
    assert.deepStrictEqual(skipped, []);
    const [resource, locals] = body.blocks;
    assert.deepStrictEqual([resource.type, resource.labels], ['resource', ['azurerm_api_management_api', 'orders']]);
    assert.strictEqual(at(text, resource.headerSpan), 'resource "azurerm_api_management_api" "orders"');
    assert.ok(at(text, resource.span).endsWith('}\n}'));
    const [name, protocols] = resource.body.attributes;
    assert.strictEqual(literalString(name.value), 'orders');
    assert.strictEqual(at(text, name.value.span), '"orders"');
    assert.strictEqual(at(text, protocols.value.span), '["http", "https"]');
    assert.deepStrictEqual(protocols.value.kind === 'tuple' && protocols.value.items.map(literalString), ['http', 'https']);
    assert.strictEqual(literalString(resource.body.blocks[0].body.attributes[0].value), 'openapi');
    assert.strictEqual(locals.body.attributes[0].value.kind, 'literal');
  });

  it('reads templates: escapes, interpolations, directives and heredocs', () => {
    const text = [
      'a = "x\\"y $${lit} ${var.name}-${local.items["k"].id}"',
      'b = <<-EOT',
      '    <policies>${var.x}</policies>',
      '  EOT',
      'c = "%{ if var.on }on%{ endif }"',
    ].join('\n');
    const [a, b, c] = parseHcl(text).body.attributes;
    assert.strictEqual(a.value.kind, 'template');
    const parts = a.value.kind === 'template' ? a.value.parts : [];
    assert.deepStrictEqual(
      parts.map((part) => (part.kind === 'text' ? part.value : at(text, part.span))),
      ['x"y ${lit} ', '${var.name}', '-', '${local.items["k"].id}'],
    );
    const reference = parts[3].kind === 'interpolation' ? parts[3].expression : undefined;
    assert.deepStrictEqual(reference?.kind === 'traversal' && [reference.root, reference.steps.map((step) => step.kind)], ['local', ['attribute', 'index', 'attribute']]);
    assert.ok(b.value.kind === 'template' && b.value.heredoc?.indented);
    assert.strictEqual(b.value.kind === 'template' && at(text, b.value.contentSpan), '    <policies>${var.x}</policies>\n');
    assert.strictEqual(at(text, b.value.span), '<<-EOT\n    <policies>${var.x}</policies>\n  EOT');
    assert.deepStrictEqual(c.value.kind === 'template' && c.value.parts.map((part) => part.kind), ['directive', 'text', 'directive']);
  });

  it('reads objects, calls, references, operators, conditionals and for expressions; keeps splats as written', () => {
    const text = [
      'o = { k = "v", "quoted-key" : 2, nested = { x = true } }',
      'f = templatefile("policy.xml", { base-url = "https://${azurerm_x.y.host}" })',
      'r = azurerm_api_management_api.orders["v1"].name',
      'cond = var.a ? "x" : "y"',
      'list = [',
      '  1,',
      '  var.b == 2 ? 3 : 4,',
      ']',
      'loop = { for k, v in var.m : k => v }',
      'grouped = [for a in var.apis : upper(a.name) if a.enabled && !a.hidden]',
      'expanded = merge([for m in var.maps : { for k, v in m : k => v... }]...)',
      'splat = azurerm_x.y[*].id',
      'negative = -1',
      'precedence = 1 + 2 * 3 >= 7 || false',
      'provider_fn = provider::azapi::build_resource_id("a", "b")',
    ].join('\n');
    const values = new Map(parseHcl(text).body.attributes.map((attribute) => [attribute.name, attribute.value]));
    const object = values.get('o')!;
    assert.deepStrictEqual(object.kind === 'object' && object.items.map((item) => item.key), ['k', 'quoted-key', 'nested']);
    const call = values.get('f')!;
    assert.deepStrictEqual(call.kind === 'call' && [call.name, call.args.map((arg) => arg.kind)], ['templatefile', ['template', 'object']]);
    const reference = values.get('r')!;
    assert.deepStrictEqual(reference.kind === 'traversal' && reference.root, 'azurerm_api_management_api');
    const otherText = (expression: HclExpression | undefined) => (expression?.kind === 'other' ? expression.text : expression?.kind);
    // The structure as written: `(test ? then : otherwise)`, `(left op right)`, `op(right)`.
    const shape = (expression: HclExpression | undefined): string => {
      switch (expression?.kind) {
        case 'conditional':
          return `(${shape(expression.test)} ? ${shape(expression.then)} : ${shape(expression.otherwise)})`;
        case 'operation':
          return expression.left ? `(${shape(expression.left)} ${expression.operator} ${shape(expression.right)})` : `${expression.operator}${shape(expression.right)}`;
        case 'for': {
          const inner = `for ${[expression.keyName, expression.valueName].filter(Boolean).join(',')} in ${shape(expression.collection)}: ${expression.key ? `${shape(expression.key)} => ` : ''}${shape(expression.value)}${expression.grouped ? '...' : ''}${expression.condition ? ` if ${shape(expression.condition)}` : ''}`;
          return expression.key ? `{${inner}}` : `[${inner}]`;
        }
        case 'call':
          return `${expression.name}(${expression.args.map(shape).join(', ')}${expression.expandsLast ? '...' : ''})`;
        case 'traversal':
          return at(text, expression.span);
        case 'template':
        case 'literal':
          return at(text, expression.span);
        default:
          return `<${expression?.kind}>`;
      }
    };
    assert.strictEqual(shape(values.get('cond')), '(var.a ? "x" : "y")');
    const list = values.get('list')!;
    assert.deepStrictEqual(list.kind === 'tuple' && list.items.map(shape), ['1', '((var.b == 2) ? 3 : 4)']);
    assert.strictEqual(shape(values.get('loop')), '{for k,v in var.m: k => v}');
    assert.strictEqual(shape(values.get('grouped')), '[for a in var.apis: upper(a.name) if (a.enabled && !a.hidden)]');
    assert.strictEqual(shape(values.get('expanded')), 'merge([for m in var.maps: {for k,v in m: k => v...}]...)');
    assert.strictEqual(shape(values.get('precedence')), '(((1 + (2 * 3)) >= 7) || false)');
    assert.strictEqual(otherText(values.get('splat')), 'azurerm_x.y[*].id');
    assert.strictEqual(shape(values.get('negative')), '-1');
    assert.strictEqual(values.get('provider_fn')?.kind, 'call');
  });

  it('never hangs or throws on unfinished input, and says what it skipped', () => {
    for (const text of ['resource "a" "b" {\n  name = "x\n  tls {', 'resource', 'a = <<EOT\nno end', 'a = [1, 2', 'a = "${', 'a = (', '}}}', 'a = { b = ', '"unterminated']) {
      assert.ok(Array.isArray(parseHcl(text).body.blocks), text);
    }
    const broken = 'a = 1\n@@@ not hcl\nb = 2';
    const { body, skipped } = parseHcl(broken);
    assert.deepStrictEqual(body.attributes.map((attribute) => attribute.name), ['a', 'b']);
    assert.deepStrictEqual(skipped.map((span) => at(broken, span)), ['@@@ not hcl']);
  });

  it('reads values nested past the depth limit as `other`, and says where', () => {
    const depth = MAX_NESTING_DEPTH + 10;
    const text = `a = ${'['.repeat(depth)}${']'.repeat(depth)}\nb = 1`;
    const tooDeep: Span[] = [];
    const { body } = parseHcl(text, (span) => tooDeep.push(span));
    assert.strictEqual(tooDeep.length, 1);
    assert.deepStrictEqual(body.attributes.map((attribute) => attribute.name), ['a', 'b']);
  });
});

describe('parseHcl: a heredoc inside an interpolation inside a heredoc with the same marker', () => {
  it('closes the outer heredoc at its own marker, not at the inner one\'s', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'terraform-heredocs/main.tf'), 'utf8');
    const { body, skipped } = parseHcl(text);
    assert.deepStrictEqual(skipped, []);
    const provisioner = body.blocks[0].body.blocks[0];
    assert.deepStrictEqual(provisioner.body.attributes.map((attribute) => attribute.name), ['interpreter', 'command']);
    const command = provisioner.body.attributes[1].value;
    assert.ok(command.kind === 'template' && command.heredoc?.indented);
    // From `<<-EOT` to the last `EOT`, before the provisioner's closing brace.
    assert.match(at(text, command.span), /^<<-EOT\n {6}\$base64Json = "/);
    assert.match(at(text, command.span), /exit \$LASTEXITCODE\n {6}\}\n {4}EOT$/);
    const interpolation = command.parts.find((part) => part.kind === 'interpolation');
    assert.ok(interpolation && at(text, interpolation.span).startsWith('${base64encode(jsonencode({'));
    assert.ok(at(text, interpolation.span).endsWith('}))}'));
  });
});
