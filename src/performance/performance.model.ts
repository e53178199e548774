import { Schema, model } from 'mongoose';

/**
 * One server process's counts for one minute of the developer interface, written once when
 * the minute is over: `_id` is `<minute ISO>#<process id>#<n>`, n counting the process's writes. Per endpoint class and outcome,
 * the number of calls and a latency histogram (latency-histogram.ts). No per-request document.
 */
const performanceMinuteSchema = new Schema(
  {
    _id: { type: String, required: true },
    minute: { type: Date, required: true },
    classes: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'performance_minutes', versionKey: false },
);

export const PerformanceMinuteModel = model('PerformanceMinute', performanceMinuteSchema);
