import { dayInWords } from '../http/time-words.js';
import type { OthersConnection } from './sharing-views.service.js';

/**
 * What became of a connection another holder made, for a holder looking back at it once the
 * app can no longer see the account: who ended it and when, in the viewer's words.
 */
export function endedConnectionSentence(c: OthersConnection, viewerId: string, timeZone: string): string {
  const { connection, appName } = c;
  const on = connection.endedAt ? ` on ${dayInWords(connection.endedAt, timeZone)}` : '';
  const who = connection.endedBy === viewerId ? 'You' : (c.endedByName ?? 'Another holder');
  const cannotSee = `${appName} cannot see it.`;
  if (connection.state === 'stopped') {
    const how = {
      stopped: `${who} stopped sharing it${on}.`,
      declined: `${who} declined it${on}, so ${appName} never saw it.`,
      option_changed: `It ended${on}, when the holders stopped allowing apps to see it this way.`,
      instruction_withdrawn: `It ended${on}, when additional cardholders were no longer allowed to share this card.`,
    }[connection.endReason ?? 'stopped'];
    return connection.endReason === 'declined' ? how : `${how} ${cannotSee}`;
  }
  if (c.stage === 'lapsed') {
    return `It was not approved by ${dayInWords(connection.approveBy!, timeZone)}, so ${appName} never saw it.`;
  }
  return `The connection has ended. ${cannotSee}`;
}
