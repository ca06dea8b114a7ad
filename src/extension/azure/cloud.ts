// Where the extension connects and who signs in: the cloud chosen in the user's settings. These
// settings have the `application` scope, and only the user-level value is read, so that no workspace
// file (in a trusted workspace or not) can send tokens to another endpoint.
import * as vscode from 'vscode';
import { armEndpoint, DEFAULT_ARM_ENDPOINT } from '../../core/azure/arm';

export interface AzureCloud {
  name: string;
  /** ARM endpoint, without a trailing slash. */
  armEndpoint: string;
  /** The VS Code authentication provider that issues ARM tokens for this cloud. */
  authenticationProvider: string;
  portal: string;
  /** Entra tenant to sign in to (`VSCODE_TENANT:<id>` scope); the account's home tenant when absent. */
  tenant?: string;
}

const CLOUDS: Record<string, Omit<AzureCloud, 'name' | 'tenant'>> = {
  AzureCloud: { armEndpoint: DEFAULT_ARM_ENDPOINT, authenticationProvider: 'microsoft', portal: 'https://portal.azure.com' },
  // Sovereign clouds sign in through VS Code's `microsoft-sovereign-cloud` provider, configured by its own setting.
  AzureUSGovernment: { armEndpoint: 'https://management.usgovcloudapi.net', authenticationProvider: 'microsoft-sovereign-cloud', portal: 'https://portal.azure.us' },
  AzureChinaCloud: { armEndpoint: 'https://management.chinacloudapi.cn', authenticationProvider: 'microsoft-sovereign-cloud', portal: 'https://portal.azure.cn' },
};

/** A setting's user-level value (or its default): workspace and folder values are ignored on purpose. */
function userSetting<T>(key: string): T | undefined {
  const inspected = vscode.workspace.getConfiguration('apimPosture.azure').inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

export function currentCloud(): AzureCloud {
  const name = userSetting<string>('cloud') ?? 'AzureCloud';
  const known = CLOUDS[name] ?? CLOUDS.AzureCloud;
  const endpoint = userSetting<string>('armEndpoint')?.trim();
  const provider = userSetting<string>('authenticationProvider')?.trim();
  const tenant = userSetting<string>('tenant')?.trim();
  return {
    name,
    armEndpoint: armEndpoint({ endpoint: endpoint || known.armEndpoint }),
    authenticationProvider: provider || known.authenticationProvider,
    portal: known.portal,
    tenant: tenant || undefined,
  };
}

/** The portal page of an ARM resource. */
export function portalResourceUrl(cloud: AzureCloud, armId: string): string {
  return `${cloud.portal}/#@${cloud.tenant ?? ''}/resource${armId}`;
}
