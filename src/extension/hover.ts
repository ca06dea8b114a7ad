// Hover on a finding: what Defender checks, why it matters, how to fix it, and where to read more.
import * as vscode from 'vscode';
import { defenderRiskText } from '../core/findings';
import { reportedBy } from '../core/report/common';
import { markdownText } from '../core/report/markdown';
import type { ReportPriority } from '../core/report/contract';
import type { Ctx } from './ctx';
import { rangeOf } from './diagnostics';

export class FindingHovers implements vscode.HoverProvider {
  constructor(private readonly ctx: Ctx) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const here = (await this.ctx.findingsIn(document.uri.fsPath)).filter(({ finding }) => !finding.suppression && rangeOf(finding.location).contains(position));
    if (here.length === 0) return undefined;
    const markdown = new vscode.MarkdownString(undefined, true);
    markdown.isTrusted = { enabledCommands: ['apimPosture.suppressFinding', 'apimPosture.showEffectivePolicy'] };
    for (const { finding, rule } of here) {
      markdown.appendMarkdown(`**$(shield) ${markdownText(rule?.title ?? finding.ruleId)}** · ${finding.severity}${reportedBy(finding)}\n\n`);
      markdown.appendMarkdown(markdownText(finding.message) + '\n\n');
      if (finding.defender?.risk) markdown.appendMarkdown(`*Defender's risk:* ${markdownText(defenderRiskText(finding.defender.risk))}\n\n`);
      if (finding.priority) markdown.appendMarkdown(priorityMarkdown(finding.priority));
      if (finding.defender?.portalUri) markdown.appendMarkdown(`[Defender's recommendation in the Azure portal](${finding.defender.portalUri})\n\n`);
      if (rule?.defender) markdown.appendMarkdown(`*Defender for Cloud recommendation:* ${markdownText(rule.defender.displayName)}\n\n`);
      if (rule) {
        // appendText would turn spaces into &nbsp; (no line breaks): escape the text as Markdown instead.
        markdown.appendMarkdown(`**What is checked and why.** ${markdownText(rule.description)}\n\n`);
        markdown.appendMarkdown(`**How to fix.** ${markdownText(rule.remediation)}\n\n`);
      }
      const links = [rule ? `[Rule documentation](${rule.helpUri})` : undefined, `[Suppress…](command:apimPosture.suppressFinding?${encodeURIComponent(JSON.stringify([finding.id]))})`];
      if (finding.resource.includes('/operations/')) links.push(`[Effective policy](command:apimPosture.showEffectivePolicy?${encodeURIComponent(JSON.stringify([finding.service ? `${finding.service}:${finding.resource}` : finding.resource]))})`);
      markdown.appendMarkdown(links.filter(Boolean).join(' · ') + '\n\n---\n\n');
    }
    return new vscode.Hover(markdown);
  }
}

/** The priority and the factors that make it, biggest share first, each with its points. */
export function priorityMarkdown(priority: ReportPriority): string {
  const factors = [...priority.factors].sort((a, b) => b.contribution - a.contribution).map((factor) => `${markdownText(factor.label)} +${factor.contribution.toFixed(1)}`);
  const notes = priority.notes.map((note) => `\n\n*Not weighed:* ${markdownText(note)}`).join('');
  return `**Priority ${priority.score}/100** (severity × exploitability × impact${priority.operation ? ` of ${markdownText(priority.operation)}` : ''}): ${factors.join(' · ')}${notes}\n\n`;
}
