import { Schema, model } from 'mongoose';

/**
 * Failed sign-ins, one document per failure slot: `<key>#<window>#<n>` for the n-th
 * failure of an email or client IP in a fixed time window. Slots are claimed by insert,
 * so racing attempts from several processes are all counted. Old windows are removed by
 * a sweep.
 */
const signinThrottleSchema = new Schema(
  {
    _id: { type: String, required: true },
    windowStartedAt: { type: Date, required: true },
  },
  { collection: 'signin_throttles', versionKey: false },
);

export const SigninThrottleModel = model('SigninThrottle', signinThrottleSchema);
