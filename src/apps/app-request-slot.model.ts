import { Schema, model } from 'mongoose';

/**
 * One document per request an app made in a minute, `<kind>:<clientId>#<minute>#<n>`,
 * claimed by insert so every process counts the same requests. Old minutes are swept.
 */
const appRequestSlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    windowStartedAt: { type: Date, required: true },
  },
  { collection: 'app_request_slots', versionKey: false },
);

export const AppRequestSlotModel = model('AppRequestSlot', appRequestSlotSchema);
