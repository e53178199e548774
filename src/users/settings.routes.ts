import { Router } from 'express';
import { z } from 'zod';
import { flash } from '../http/flash.js';
import { showFormAgain } from '../http/form-errors.js';
import { noStore } from '../http/no-store.js';
import { requireRole } from '../http/require-role.js';
import { isTimeZone, timeInWords, timeZones } from '../http/time-words.js';
import { chooseTimeZone } from './user.service.js';

// A customer's pages are in their time zone; staff pages keep the log's UTC, so staff have no setting.
const signedIn = requireRole('customer');
const Settings = z.strictObject({
  _csrf: z.string(),
  timeZone: z.string().max(64).refine(isTimeZone, 'Choose a time zone from the list'),
});

/** A customer's own settings: the time zone every date and time on their pages is shown in. */
export function settingsRoutes() {
  const router = Router();
  router.use('/my/settings', noStore);

  const page = (timeZone: string) => ({
    zones: timeZones(),
    values: { timeZone },
    example: timeInWords(new Date(), timeZone),
  });

  router.get('/my/settings', signedIn, (req, res) => {
    res.render('settings/settings.njk', page(req.user!.timeZone));
  });

  router.post('/my/settings', signedIn, async (req, res) => {
    const settings = Settings.safeParse(req.body);
    if (!settings.success) {
      const sent = typeof req.body?.timeZone === 'string' ? req.body.timeZone : req.user!.timeZone;
      return showFormAgain(
        res,
        'settings/settings.njk',
        settings.error,
        page(isTimeZone(sent) ? sent : req.user!.timeZone),
      );
    }
    await chooseTimeZone(req.user!.id, settings.data.timeZone);
    flash(
      req,
      'success',
      `Dates and times are now shown in ${settings.data.timeZone.replaceAll('_', ' ')} time.`,
    );
    res.redirect(303, '/my/settings');
  });

  return router;
}
