import { Schema, model } from 'mongoose';

/** Unattended calls per consent per UTC day, one slot each: `<ConsentId>#<YYYY-MM-DD>#<n>`, claimed by insert. */
const unattendedCallSchema = new Schema(
  { _id: { type: String, required: true }, day: { type: String, required: true } },
  { collection: 'unattended_calls', versionKey: false },
);
export const UnattendedCallModel = model('UnattendedCall', unattendedCallSchema);
