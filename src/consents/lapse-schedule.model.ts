import { Schema, model } from 'mongoose';

/**
 * When each consent must be looked at again because time may end it (an authorisation not
 * given within the hour, an expiry): numbered slots per minute, `<minute>#<n>`, holding the
 * consent id; and the sweeper's progress, `progress`.
 */
const lapseScheduleSchema = new Schema(
  {
    _id: { type: String, required: true },
    consentId: { type: String },
    throughMinute: { type: Number },
  },
  { collection: 'consent_lapse_schedule', versionKey: false },
);

export const LapseScheduleModel = model('ConsentLapseSchedule', lapseScheduleSchema);
