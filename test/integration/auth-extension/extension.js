// Test-only authentication provider of the integration tests' Azure check: it stands where VS Code's
// `microsoft` provider stands in production (the user setting apimPosture.azure.authenticationProvider
// names it), so APIM Posture's sign-in runs its real path (getSession, VS Code's consent dialog, a
// session per token request), and it issues the token the ARM emulator expects (APIM_POSTURE_TEST_TOKEN,
// set by test/integration/run.ts in code-server's environment).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, loaded by VS Code as is (no build step)
const vscode = require('vscode');

exports.activate = (context) => {
  const sessions = [];
  const changed = new vscode.EventEmitter();
  context.subscriptions.push(
    changed,
    vscode.authentication.registerAuthenticationProvider('apim-posture-test', 'APIM Posture Test Sign-in', {
      onDidChangeSessions: changed.event,
      getSessions: async () => sessions,
      createSession: async (scopes) => {
        const session = { id: `session-${sessions.length + 1}`, accessToken: process.env.APIM_POSTURE_TEST_TOKEN ?? '', account: { id: 'tester', label: 'tester@contoso.example' }, scopes };
        sessions.push(session);
        changed.fire({ added: [session], removed: [], changed: [] });
        return session;
      },
      removeSession: async (id) => {
        const index = sessions.findIndex((session) => session.id === id);
        if (index < 0) return;
        const [removed] = sessions.splice(index, 1);
        changed.fire({ added: [], removed: [removed], changed: [] });
      },
    }),
  );
};
