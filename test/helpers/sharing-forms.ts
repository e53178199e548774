import type { Agent } from './agent.js';

/** A signed-in customer's agent with the CSRF token its forms carry. */
export interface SignedIn {
  agent: Agent;
  csrf: string;
}

/** Posts a page's form as the signed-in customer. */
export function postForm(as: SignedIn, path: string, form: Record<string, string> = {}) {
  return as.agent
    .post(path)
    .type('form')
    .send({ _csrf: as.csrf, ...form });
}

/** A joint holder sets (or asks for) an account's disclosure option, past its confirmation. */
export const setOption = (as: SignedIn, account: string, option: string) =>
  postForm(as, `/my/sharing/${account}/option`, { option, confirmed: 'yes' });
