import assert from 'node:assert/strict';
import { csrfFrom, signedInAgent } from '../helpers/agent.js';
import { connectedApp, readData, startOAuthServer } from '../helpers/oauth-client.js';
import { readingGrade } from '../helpers/reading-grade.js';
import { openConsentScreen } from '../security/world.js';

/**
 * Plain language, measured: the Flesch-Kincaid grade of what a customer reads on the consent
 * screen and the connected-apps pages stays at 9 or below (UK guidance aims at a reading age
 * of 9 to 11 for the public; grade 9 is about age 14). The figures print with the run.
 */
describe('plain language: the customer’s pages read at grade 9 or below', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startOAuthServer>>;
  const figures: string[] = [];

  before(async () => {
    server = await startOAuthServer();
  });
  after(async () => {
    await server?.close();
    if (figures.length) console.log(`\n  Reading grades (Flesch-Kincaid):\n${figures.join('\n')}\n`);
  });

  const check = (name: string, html: string) => {
    const { grade, sentence, word } = readingGrade(html);
    figures.push(`    ${name.padEnd(32)} grade ${grade.toFixed(1)} (${word} words, ${sentence} sentences)`);
    assert.ok(word > 40, `${name}: enough text to measure (${word} words)`);
    assert.ok(grade <= 9, `${name}: reading grade ${grade.toFixed(1)} is above 9`);
  };

  it('the measure tells hard text from plain text', () => {
    const legalese =
      '<main><p>Notwithstanding the aforementioned authorisation, the third-party provider is contractually obligated to immediately discontinue utilisation of any information obtained pursuant to the consent, irrespective of its subsequent categorisation.</p></main>';
    const plain =
      '<main><p>You can stop sharing at any time. The app is told at once. It can then see nothing.</p></main>';
    assert.ok(readingGrade(legalese).grade > 12, `legalese: ${readingGrade(legalese).grade}`);
    assert.ok(readingGrade(plain).grade < 5, `plain: ${readingGrade(plain).grade}`);
  });

  it('the consent screen', async () => {
    const s = await connectedApp(server, ['ReadAccountsBasic']);
    const screen = await openConsentScreen(server.issuer, s.app, s.c, s.person, [
      'ReadAccountsDetail',
      'ReadBalances',
      'ReadTransactionsDetail',
      'ReadTransactionsCredits',
      'ReadTransactionsDebits',
    ]);
    check('consent screen', screen.html);
  });

  it('the connected-apps pages: list, details, revoke and stop-sharing confirmations, receipt, notices', async () => {
    const s = await connectedApp(server, ['ReadAccountsDetail', 'ReadBalances']);
    await readData(server.issuer, s.c, s.tokens.access_token, '/accounts');
    const { agent } = await signedInAgent(server.app, s.person);
    const page = async (path: string) => (await agent.get(path).expect(200)).text;
    check('connected apps (active)', await page('/my/apps'));
    check('app details and history', await page(`/my/apps/${s.consentId}`));
    check('revoke confirmation', await page(`/my/apps/${s.consentId}/revoke`));
    check(
      'stop sharing confirmation',
      await page(`/my/apps/${s.consentId}/accounts/${s.accounts[0]!.accountId}/remove`),
    );
    check('consent receipt', await page(`/my/apps/${s.consentId}/receipt`));
    check('notices', await page('/my/notices'));
    const revoke = await page(`/my/apps/${s.consentId}/revoke`);
    await agent
      .post(`/my/apps/${s.consentId}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(revoke) });
    check('connected apps (ended)', await page('/my/apps?tab=ended'));
  });
});
