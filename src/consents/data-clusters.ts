import { permissionWording, type Permission } from './consent.js';

/**
 * The data clusters of the UK Open Banking Customer Experience Guidelines that this bank's
 * permissions fall into: the consent screen shows what an app asks for grouped this way,
 * each cluster expandable to the plain words of each permission.
 */
const clusters: { title: string; permissions: Permission[] }[] = [
  {
    title: 'Your account details',
    permissions: ['ReadAccountsBasic', 'ReadAccountsDetail', 'ReadBalances', 'ReadPAN'],
  },
  {
    title: 'Your account transactions',
    permissions: [
      'ReadTransactionsBasic',
      'ReadTransactionsDetail',
      'ReadTransactionsCredits',
      'ReadTransactionsDebits',
    ],
  },
];

export function dataClusters(permissions: readonly string[]) {
  return clusters
    .map((cluster) => ({
      title: cluster.title,
      items: cluster.permissions.filter((p) => permissions.includes(p)).map((p) => permissionWording[p]),
    }))
    .filter((cluster) => cluster.items.length > 0);
}
