import { findCustomers } from '../accounts/customer.repository.js';
import { findApp } from '../apps/app.service.js';
import { actionWords } from '../audit/action-words.js';

/**
 * Names for the ids in audit events, so staff pages show "Budget Buddy" and "Alice Smith
 * (alice@example.com)" with the id one click away. An id with no record left (an app
 * deleted, a test customer) is shown as the id.
 */
export interface Names {
  apps: Record<string, string>;
  customers: Record<string, { name: string; email: string }>;
  actions: typeof actionWords;
}

export async function namesFor(
  events: readonly {
    clientId?: string | undefined;
    customerId?: string | undefined;
    holderIds?: readonly string[] | undefined;
  }[],
): Promise<Names> {
  const clientIds = [...new Set(events.map((e) => e.clientId).filter((id): id is string => Boolean(id)))];
  // The holders a joint-account decision names, as well as the customer who made it.
  const customerIds = [
    ...new Set(
      events.flatMap((e) => [e.customerId, ...(e.holderIds ?? [])]).filter((id): id is string => Boolean(id)),
    ),
  ];
  const [apps, customers] = await Promise.all([
    Promise.all(clientIds.map(async (id) => [id, (await findApp(id))?.name] as const)),
    findCustomers(customerIds),
  ]);
  return {
    apps: Object.fromEntries(apps.filter(([, name]) => name !== undefined)) as Record<string, string>,
    customers: Object.fromEntries(customers.map((c) => [c._id, { name: c.name, email: c.email }])),
    actions: actionWords,
  };
}
