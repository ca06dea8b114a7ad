import { strict as assert } from 'assert';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import {
  attribute,
  childElements,
  descendants,
  elementText,
  findAncestor,
  findChild,
  parsePolicyXml,
  policyExpressionEnd,
  policySection,
  type PolicyXml,
  type XmlElement,
} from '../../../src/core/policy/xml';
import { LineIndex } from '../../../src/core/text';

const EDIT_FIXTURES = join(__dirname, '../../fixtures/policy/edits');
// The APIOps sample's policy files (copied from the shared apiops-sample) are the `sample-*` edit cases.
const SAMPLE_POLICIES = readdirSync(EDIT_FIXTURES)
  .filter((name) => name.startsWith('sample-'))
  .map((name) => ({ name, text: readFileSync(join(EDIT_FIXTURES, name, 'before.xml'), 'utf8') }));

function allElements(xml: PolicyXml): XmlElement[] {
  return xml.root ? [xml.root, ...descendants(xml.root)] : [];
}

function slice(xml: PolicyXml, span: { start: number; end: number }): string {
  return xml.text.slice(span.start, span.end);
}

/** Invariants every parse keeps, however broken the input. */
function assertWellFormedTree(xml: PolicyXml): void {
  const inText = (span: { start: number; end: number }) => 0 <= span.start && span.start <= span.end && span.end <= xml.text.length;
  for (const problem of xml.problems) assert.ok(problem.span && inText(problem.span), `problem span out of text: ${problem.message}`);
  for (const element of allElements(xml)) {
    assert.ok(inText(element.span) && inText(element.startTagSpan));
    assert.equal(element.startTagSpan.start, element.span.start);
    if (element.contentSpan) assert.ok(element.startTagSpan.end <= element.contentSpan.start && element.contentSpan.end <= element.span.end);
    for (const child of element.children) {
      assert.equal(child.parent, element);
      assert.ok(element.span.start < child.span.start && child.span.end <= element.span.end, `<${child.name}> outside <${element.name}>`);
    }
    for (const { name, value, nameSpan, valueSpan } of element.attributes) {
      assert.equal(slice(xml, nameSpan), name);
      assert.equal(slice(xml, valueSpan), value);
    }
  }
}

function problemLines(xml: PolicyXml): { line: number; kind: string; message: string }[] {
  const lines = new LineIndex(xml.text);
  return xml.problems.map((problem) => ({ line: lines.positionAt(problem.span!.start).line, kind: problem.kind, message: problem.message }));
}

describe('parsePolicyXml', () => {
  describe('APIOps sample policies', () => {
    it('has the sample files to read', () => assert.equal(SAMPLE_POLICIES.length, 11));

    for (const { name, text } of SAMPLE_POLICIES) {
      it(`reads ${name} without problems, with spans that slice back to each element`, () => {
        const xml = parsePolicyXml(`/repo/${name}/policy.xml`, text);
        assert.deepEqual(xml.problems, []);
        assert.ok(xml.root && ['policies', 'fragment'].includes(xml.root.name));
        for (const element of allElements(xml)) {
          const whole = slice(xml, element.span);
          const startTag = slice(xml, element.startTagSpan);
          assert.match(startTag, new RegExp(`^<${element.name}[\\s/>]`));
          assert.ok(startTag.endsWith(element.selfClosing ? '/>' : '>'));
          if (element.selfClosing) assert.equal(whole, startTag);
          else {
            assert.ok(whole.endsWith(`</${element.name}>`), whole);
            assert.equal(whole, startTag + slice(xml, element.contentSpan!) + `</${element.name}>`);
          }
        }
        assertWellFormedTree(xml);
      });
    }

    it('reads the global policy into its sections and statements', () => {
      const xml = parsePolicyXml('/repo/policy.xml', SAMPLE_POLICIES.find(({ name }) => name === 'sample-global')!.text);
      assert.deepEqual(
        xml.root!.children.map((section) => section.name),
        ['inbound', 'backend', 'outbound', 'on-error'],
      );
      const inbound = policySection(xml.root, 'inbound')!;
      assert.deepEqual(
        inbound.children.map((statement) => statement.name),
        ['set-variable', 'ip-filter', 'set-header', 'include-fragment'],
      );
      assert.equal(attribute(findChild(inbound, 'include-fragment')!, 'fragment-id')?.value, 'policyFragment1');
      assert.equal(elementText(xml, findChild(findChild(inbound, 'set-header')!, 'value')!), '{{environment-name}}');
      assert.equal(policySection(xml.root, 'on-error')?.selfClosing, true);
    });

    it('reads a fragment, which has no sections', () => {
      const xml = parsePolicyXml('/repo/f.xml', SAMPLE_POLICIES.find(({ name }) => name === 'sample-fragment1')!.text);
      assert.equal(xml.root!.name, 'fragment');
      assert.equal(policySection(xml.root, 'inbound'), undefined);
      const correlation = childElements(xml.root!, 'set-header')[0];
      assert.equal(elementText(xml, findChild(correlation, 'value')!), '@(context.RequestId.ToString())');
    });
  });

  describe('rawxml policy expressions', () => {
    it('reads an attribute expression with nested quotes and comparison operators', () => {
      const condition = '@(context.Request.Headers.GetValueOrDefault("X",")") == "(" && 1 < 2 || 3 > 2)';
      const xml = parsePolicyXml('/p.xml', `<policies><inbound><choose><when condition="${condition}"><base /></when></choose></inbound></policies>`);
      assert.deepEqual(xml.problems, []);
      const when = descendants(xml.root!, 'when')[0];
      assert.equal(attribute(when, 'condition')?.value, condition);
      assert.deepEqual(when.children.map((child) => child.name), ['base']);
      assert.equal(findAncestor(when.children[0], 'choose')?.name, 'choose');
    });

    it('reads an element expression with <, >, & and markup inside strings', () => {
      const body = '@{ var x = a < b && c > d; return "<p>" + "</set-body>"; }';
      const xml = parsePolicyXml('/p.xml', `<policies><outbound><set-body>\n  ${body}\n</set-body><base /></outbound></policies>`);
      assert.deepEqual(xml.problems, []);
      const outbound = policySection(xml.root, 'outbound')!;
      assert.deepEqual(outbound.children.map((child) => child.name), ['set-body', 'base']);
      assert.equal(elementText(xml, outbound.children[0]), body);
      assert.deepEqual(outbound.children[0].children, []);
    });

    const expressions: [string, string][] = [
      ['verbatim strings with doubled quotes', '@(@"C:\\dir ""quoted"" )" + "")'],
      ['escaped quotes and backslashes', '@("a \\" ) \\\\" + "(")'],
      ['char literals', "@(s.Split(')')[0] + s.Trim('\\'') + '\"')"],
      ['interpolated strings with holes', '@($"{(int)a} {{not a hole)}} {b["k"]}")'],
      ['verbatim interpolated strings', '@($@"{a} "")" + @$"{b}")'],
      ['comments', '@{ // ) " }\n /* } " */ return 1; }'],
      ['generics and lambdas', '@(context.Request.Headers.Where(h => h.Key.Length > 1).Select(h => new List<string>{ h.Key }).Count() > 0)'],
    ];
    for (const [what, expression] of expressions) {
      it(`skips ${what}`, () => {
        assert.equal(policyExpressionEnd(expression, 1), expression.length);
        const xml = parsePolicyXml('/p.xml', `<policies><inbound><set-variable name="v" value="${expression}" /><value>${expression}</value></inbound></policies>`);
        assert.deepEqual(xml.problems, []);
        const inbound = policySection(xml.root, 'inbound')!;
        assert.equal(attribute(findChild(inbound, 'set-variable')!, 'value')?.value, expression);
        assert.equal(elementText(xml, findChild(inbound, 'value')!), expression);
      });
    }

    it('reads text around an expression and named values as plain text', () => {
      const xml = parsePolicyXml('/p.xml', `<value>Bearer @((string)context.Variables["token"]) {{suffix}}</value>`);
      assert.deepEqual(xml.problems, []);
      assert.equal(elementText(xml, xml.root!), 'Bearer @((string)context.Variables["token"]) {{suffix}}');
    });

    it('reads single-quoted attributes holding double quotes', () => {
      const xml = parsePolicyXml('/p.xml', `<set-header name='X' value='@(context.Variables["a"])' />`);
      assert.deepEqual(xml.problems, []);
      assert.equal(attribute(xml.root!, 'value')?.value, '@(context.Variables["a"])');
    });

    it('reports an expression that never closes', () => {
      const xml = parsePolicyXml('/p.xml', '<policies>\n<inbound>\n<value>@(context.Variables["a"]</value>\n</inbound>\n</policies>');
      assert.deepEqual(problemLines(xml)[0], { line: 2, kind: 'malformed-xml', message: "Policy expression '@(' is never closed" });
      assert.deepEqual(policySection(xml.root, 'inbound')!.children.map((child) => child.name), ['value']);
    });

    it('skips comments, CDATA and the XML declaration, keeping entity references raw', () => {
      const xml = parsePolicyXml('/p.xml', '<?xml version="1.0"?>\n<!-- <fake> -->\n<value>a &amp; <![CDATA[<b> & c]]> &unknown; &#60;<!-- </value> --></value>');
      assert.deepEqual(xml.problems, []);
      assert.equal(xml.root!.name, 'value');
      assert.deepEqual(xml.root!.children, []);
      assert.equal(elementText(xml, xml.root!), 'a &amp; <b> & c &unknown; &#60;');
    });
  });

  describe('hostile XML', () => {
    it('refuses the billion laughs DTD without expanding anything', () => {
      const entities = Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('\n');
      const doctype = `<!DOCTYPE policies [\n  <!ENTITY lol0 "lol">\n${entities}\n]>`;
      const text = `<?xml version="1.0"?>\n${doctype}\n<policies><inbound><value>&lol9;</value></inbound></policies>`;
      const started = process.hrtime.bigint();
      const xml = parsePolicyXml('/repo/policy.xml', text);
      assert.ok(process.hrtime.bigint() - started < 50_000_000n, 'parsing took over 50 ms');
      assert.deepEqual(
        xml.problems.map((problem) => ({ ...problem, text: slice(xml, problem.span!) })),
        [
          {
            file: '/repo/policy.xml',
            span: { start: 22, end: 22 + doctype.length },
            kind: 'forbidden-xml',
            message: 'DOCTYPE declaration refused: DTDs and entities are never processed',
            text: doctype,
          },
        ],
      );
      const value = descendants(xml.root!, 'value')[0];
      assert.equal(elementText(xml, value), '&lol9;');
    });

    it('refuses an external entity and never reads the file', () => {
      const text = '<!DOCTYPE policies [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<policies><inbound><value>&xxe;</value></inbound></policies>';
      const xml = parsePolicyXml('/repo/policy.xml', text);
      assert.deepEqual(problemLines(xml), [{ line: 0, kind: 'forbidden-xml', message: 'DOCTYPE declaration refused: DTDs and entities are never processed' }]);
      assert.equal(elementText(xml, descendants(xml.root!, 'value')[0]), '&xxe;');
    });

    it('refuses an external DTD and a stray entity declaration', () => {
      const text = '<!DOCTYPE policies SYSTEM "http://evil.example/x.dtd">\n<policies>\n<!ENTITY e "x">\n</policies>';
      const xml = parsePolicyXml('/repo/policy.xml', text);
      assert.deepEqual(
        problemLines(xml).map(({ line, kind }) => ({ line, kind })),
        [
          { line: 0, kind: 'forbidden-xml' },
          { line: 2, kind: 'forbidden-xml' },
        ],
      );
      assert.equal(slice(xml, xml.problems[1].span!), '<!ENTITY e "x">');
      assert.equal(xml.root!.name, 'policies');
    });

    it('stays linear on deep nesting and many broken constructs', () => {
      const inputs = [
        '<a>'.repeat(100_000) + '</a>'.repeat(100_000),
        '<a>'.repeat(100_000) + '</b>'.repeat(100_000),
        '<a>' + '@('.repeat(100_000),
        '<a b="' + '$"{'.repeat(100_000),
        '<a ' + 'x '.repeat(100_000) + '/>',
      ];
      for (const text of inputs) {
        const started = process.hrtime.bigint();
        assertWellFormedTree(parsePolicyXml('/p.xml', text));
        assert.ok(process.hrtime.bigint() - started < 2_000_000_000n, `too slow on ${text.slice(0, 20)}...`);
      }
    });
  });

  describe('malformed XML', () => {
    const cases: { what: string; text: string; problems: { line: number; message: string }[] }[] = [
      {
        what: 'an unclosed element, closed by its parent end tag',
        text: '<policies>\n\t<inbound>\n\t\t<set-header name="a">\n\t</inbound>\n</policies>',
        problems: [{ line: 2, message: '<set-header> is never closed' }],
      },
      {
        what: 'a stray end tag',
        text: '<policies>\n\t<inbound>\n\t</backend>\n\t</inbound>\n</policies>',
        problems: [{ line: 2, message: 'End tag </backend> closes no open element' }],
      },
      {
        what: 'elements still open at the end of text',
        text: '<policies>\n\t<inbound>\n\t\t<base />',
        problems: [
          { line: 1, message: '<inbound> is never closed' },
          { line: 0, message: '<policies> is never closed' },
        ],
      },
      {
        what: 'an unterminated attribute value',
        text: '<policies>\n\t<inbound>\n\t\t<set-header name="a>\n\t\t</set-header>\n\t</inbound>\n</policies>',
        problems: [{ line: 2, message: "Value of attribute 'name' is never closed" }],
      },
      {
        what: "a '<' that starts no tag",
        text: '<policies>\n\t< inbound>\n</policies>',
        problems: [{ line: 1, message: "'<' does not start a tag (write &lt; in text)" }],
      },
      {
        what: 'garbage in a start tag and an unquoted value',
        text: '<policies>\n<inbound = a=b>\n</inbound>\n</policies>',
        problems: [
          { line: 1, message: "Unexpected '=' in start tag <inbound>" },
          { line: 1, message: "Value of attribute 'a' is not quoted" },
        ],
      },
      {
        what: 'text and a second element outside the root',
        text: 'junk\n<policies />\n<policies />',
        problems: [
          { line: 0, message: 'Text outside the root element' },
          { line: 2, message: 'Second root element <policies>: only the first is read' },
        ],
      },
      {
        what: 'an unclosed comment',
        text: '<policies>\n<!-- <inbound>\n</policies>',
        problems: [
          { line: 1, message: 'Comment is never closed' },
          { line: 0, message: '<policies> is never closed' },
        ],
      },
      {
        what: 'a start tag cut off at the end of text',
        text: '<policies>\n<inbound name="x"',
        problems: [
          { line: 1, message: "Start tag <inbound> is never closed with '>'" },
          { line: 0, message: '<policies> is never closed' },
        ],
      },
    ];
    for (const { what, text, problems } of cases) {
      it(`reports ${what}`, () => {
        const xml = parsePolicyXml('/p.xml', text);
        assert.deepEqual(
          problemLines(xml).map(({ line, kind, message }) => ({ line, kind, message })),
          problems.map((problem) => ({ ...problem, kind: 'malformed-xml' })),
        );
        assert.ok(xml.problems.every((problem) => problem.file === '/p.xml'));
        assertWellFormedTree(xml);
      });
    }

    it('recovers the tree around an unclosed element', () => {
      const xml = parsePolicyXml('/p.xml', '<policies>\n\t<inbound>\n\t\t<set-header name="a">\n\t</inbound>\n\t<backend />\n</policies>');
      assert.deepEqual(xml.root!.children.map((child) => child.name), ['inbound', 'backend']);
      const setHeader = policySection(xml.root, 'inbound')!.children[0];
      assert.equal(slice(xml, setHeader.span), '<set-header name="a">\n\t');
      assert.equal(xml.root!.span.end, xml.text.length);
    });

    it('never throws on truncated or mutated policies', () => {
      let seed = 42;
      const random = (below: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed % below;
      };
      const noise = '<>/"\'=@(){}[]!-?&;$\\ \n\tabc';
      let parsed = 0;
      for (const { text } of SAMPLE_POLICIES) {
        for (let cut = 0; cut <= text.length; cut++) {
          assertWellFormedTree(parsePolicyXml('/p.xml', text.slice(0, cut)));
          parsed++;
        }
      }
      for (let round = 0; round < 3000; round++) {
        const { text } = SAMPLE_POLICIES[random(SAMPLE_POLICIES.length)];
        const chars = [...text];
        for (let edits = 1 + random(6); edits > 0; edits--) {
          const at = random(chars.length + 1);
          const replacement = random(4) === 0 ? String.fromCharCode(random(0x10000)) : noise[random(noise.length)];
          chars.splice(at, random(3), replacement);
        }
        assertWellFormedTree(parsePolicyXml('/p.xml', chars.join('')));
        parsed++;
      }
      assert.ok(parsed > 6000);
    });
  });
});
