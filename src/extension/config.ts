// Editor settings that shape the analysis; they are applied over the repository's `.apim-posture.json`.
import * as vscode from 'vscode';
import type { CustomInformationType, PostureConfig } from '../core/config';

export function readSettings(folder: vscode.WorkspaceFolder): Partial<Pick<PostureConfig, 'rules' | 'customInformationTypes' | 'exclude'>> {
  const settings = vscode.workspace.getConfiguration('apimPosture', folder.uri);
  const customTypes = settings.get<Partial<CustomInformationType>[]>('sensitiveData.customTypes', []);
  return {
    rules: settings.get<PostureConfig['rules']>('rules', {}),
    exclude: settings.get<string[]>('exclude', []),
    customInformationTypes: customTypes
      .filter((type): type is Partial<CustomInformationType> & { id: string } => typeof type.id === 'string')
      .map((type) => ({
        id: type.id,
        displayName: type.displayName ?? type.id,
        namePatterns: type.namePatterns ?? [],
        valuePatterns: type.valuePatterns ?? [],
        sensitivity: type.sensitivity === 'high' ? 'high' : 'medium',
      })),
  };
}
