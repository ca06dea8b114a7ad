// docs/rules.md, made from the rules' own metadata so the two cannot drift apart (a test compares them).
import type { RuleMetadata } from '../findings';

export function ruleDocsMarkdown(rules: readonly RuleMetadata[]): string {
  const lines = [
    '# APIM Posture rules',
    '',
    'Generated from the rules\' metadata (`npm run docs`). Each rule predicts, from the repository alone, what Microsoft Defender for Cloud will say about the deployed API Management service.',
    '',
  ];
  for (const rule of rules) {
    lines.push(`## ${rule.id}`, '', `**${rule.title}** · severity ${rule.severity}`, '');
    if (rule.defender) {
      const key = rule.defender.assessmentKey ? ` · assessment key \`${rule.defender.assessmentKey}\`${rule.defender.keyConfirmed ? '' : ' (unconfirmed)'}` : '';
      lines.push(`Defender for Cloud recommendation: *${rule.defender.displayName}* (${rule.defender.severity})${key}`, '');
    }
    lines.push(rule.description, '', `**How to fix.** ${rule.remediation}`, '');
  }
  return lines.join('\n');
}
