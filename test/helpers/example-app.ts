import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createExampleApp } from '../../examples/budget-buddy/example-app.js';
import { registerTestApp, startOAuthServer } from './oauth-client.js';

/** The bank and the example app (Budget Buddy), each on its own loopback port. */
export async function startBankAndExample() {
  const bank = await startOAuthServer();
  const example: Server = createServer();
  await new Promise<void>((resolve) => example.listen(0, '127.0.0.1', resolve));
  const exampleUrl = `http://127.0.0.1:${(example.address() as AddressInfo).port}`;
  const registered = await registerTestApp(exampleUrl);
  example.on(
    'request',
    await createExampleApp({
      bankUrl: bank.issuer,
      baseUrl: exampleUrl,
      clientId: registered.clientId,
      privateKey: registered.privateKey,
      kid: registered.kid,
      allowHttp: true,
    }),
  );
  return {
    bank,
    exampleUrl,
    async close() {
      example.close();
      await bank.close();
    },
  };
}
