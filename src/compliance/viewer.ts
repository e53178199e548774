import type { Request } from 'express';
import { requestContext } from '../http/request-context.js';
import type { Viewer } from './compliance.service.js';

export function viewerOf(req: Request): Viewer {
  return { user: req.user!, request: requestContext(req) };
}
