// The extension's connection to Azure: the signed-in credential for the chosen cloud, the
// subscriptions picked for this workspace, and the snapshot files the analysis reads. A load from
// Azure writes `.apim-posture/snapshot.json` in each workspace folder (what `apim-posture snapshot
// export` writes too), so the analysis, the CLI and an offline session all read the same file.
import * as path from 'path';
import * as vscode from 'vscode';
import { createClients, type LoadClients } from '../../core/azure/clients';
import { DEFAULT_SNAPSHOT_PATH, writeSnapshotFile, type DeployedSnapshot } from '../../core/azure/snapshot';
import { currentCloud, type AzureCloud } from './cloud';
import { VsCodeCredential } from './credential';

const SUBSCRIPTIONS_KEY = 'apimPosture.azure.subscriptions';
/** Backups of what a push replaced, per workspace folder. */
export const BACKUP_FOLDER = '.apim-posture/backups';

export class AzureSession {
  private connection: { cloud: AzureCloud; credential: VsCodeCredential; clients: LoadClients } | undefined;

  constructor(private readonly extension: vscode.ExtensionContext) {}

  /** The cloud, credential and SDK clients of the current settings (rebuilt when the settings change). */
  current(): { cloud: AzureCloud; credential: VsCodeCredential; clients: LoadClients } {
    const cloud = currentCloud();
    const same = this.connection && JSON.stringify(this.connection.cloud) === JSON.stringify(cloud);
    if (!same) {
      const credential = new VsCodeCredential(cloud);
      this.connection = { cloud, credential, clients: createClients(credential, { endpoint: cloud.armEndpoint }) };
    }
    return this.connection!;
  }

  /** The subscriptions picked for this workspace. */
  get subscriptions(): string[] {
    return this.extension.workspaceState.get<string[]>(SUBSCRIPTIONS_KEY, []);
  }

  async setSubscriptions(ids: string[]): Promise<void> {
    await this.extension.workspaceState.update(SUBSCRIPTIONS_KEY, [...new Set(ids)]);
  }

  snapshotFile(folder: vscode.WorkspaceFolder): string {
    return path.join(folder.uri.fsPath, DEFAULT_SNAPSHOT_PATH);
  }

  backupFolder(folder: vscode.WorkspaceFolder): string {
    return path.join(folder.uri.fsPath, BACKUP_FOLDER);
  }

  /** Writes a snapshot where the analysis of `folder` reads it. */
  writeSnapshot(folder: vscode.WorkspaceFolder, snapshot: DeployedSnapshot): string {
    const file = this.snapshotFile(folder);
    writeSnapshotFile(file, snapshot);
    return file;
  }
}
