import { z } from 'zod';

/** The OB error body (OBErrorResponse1), as every refusal on the OB API is answered. */
export const OBErrorResponse1 = z.object({
  Code: z.string(),
  Id: z.string(),
  Message: z.string(),
  Errors: z.array(z.object({ ErrorCode: z.string(), Message: z.string(), Path: z.string().optional() })),
});
