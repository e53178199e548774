import { Schema, model } from 'mongoose';

/**
 * Failed sign-in counters, one per email and one per client IP, shared by every server
 * process. Windows are checked when read and old counters are removed by a sweep.
 */
const signinThrottleSchema = new Schema(
  {
    _id: { type: String, required: true },
    failures: { type: Number, required: true },
    windowStartedAt: { type: Date, required: true },
  },
  { collection: 'signin_throttles', versionKey: false },
);

signinThrottleSchema.index({ windowStartedAt: 1 });

export const SigninThrottleModel = model('SigninThrottle', signinThrottleSchema);
