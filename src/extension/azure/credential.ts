// VS Code's own sign-in as an Azure SDK TokenCredential: every token request asks VS Code for the
// session, so the token is never kept, logged or written by the extension, and an account switched
// or signed out in VS Code takes effect at once.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import * as vscode from 'vscode';
import { armScope } from '../../core/azure/arm';
import type { AzureCloud } from './cloud';

/** How long the SDK may reuse a token before asking again: short, since VS Code refreshes sessions itself. */
const TOKEN_REUSE_MS = 60_000;

export class VsCodeCredential implements TokenCredential {
  constructor(private readonly cloud: AzureCloud) {}

  /** The scopes VS Code's provider is asked for: the ARM audience, and the tenant when one is set. */
  private scopes(requested: string | string[]): string[] {
    const scopes = Array.isArray(requested) ? [...requested] : [requested];
    if (this.cloud.tenant) scopes.push(`VSCODE_TENANT:${this.cloud.tenant}`);
    return scopes;
  }

  private armScopes(): string[] {
    return this.scopes(armScope(this.cloud.armEndpoint));
  }

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    const session = await vscode.authentication.getSession(this.cloud.authenticationProvider, this.scopes(scopes), { silent: true });
    if (!session) throw new SignInRequiredError();
    return { token: session.accessToken, expiresOnTimestamp: Date.now() + TOKEN_REUSE_MS };
  }

  /** The session for ARM if the user already granted it, without asking. */
  currentSession(): Thenable<vscode.AuthenticationSession | undefined> {
    return vscode.authentication.getSession(this.cloud.authenticationProvider, this.armScopes(), { silent: true });
  }

  /** Asks VS Code to sign in (its consent and account dialogs). */
  signIn(): Thenable<vscode.AuthenticationSession> {
    return vscode.authentication.getSession(this.cloud.authenticationProvider, this.armScopes(), { createIfNone: true });
  }
}

export class SignInRequiredError extends Error {
  constructor() {
    super('Not signed in to Azure: run "APIM Posture: Sign In to Azure" first.');
    this.name = 'SignInRequiredError';
  }
}
