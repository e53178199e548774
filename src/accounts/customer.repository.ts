import { findManyById } from '../db/primary-key.js';
import { CustomerModel } from './customer.model.js';

/** Customers by id (docs/storage.md: reads by `_id`), for naming them on staff pages. */
export async function findCustomers(
  ids: readonly string[],
): Promise<{ _id: string; name: string; email: string }[]> {
  return (await findManyById([...ids], (id) => CustomerModel.findById(id, { name: 1, email: 1 }).lean())) as {
    _id: string;
    name: string;
    email: string;
  }[];
}
