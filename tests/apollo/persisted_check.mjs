// Apollo Client's persisted-query link against a running server: the first request of a query
// misses and registers it, the next runs by its hash alone, over GET.
// Usage: node tests/apollo/persisted_check.mjs http://127.0.0.1:8000/graphql
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries/index.js';
import { createHash } from 'node:crypto';

const uri = process.argv[2];
const sent = [];
const recordingFetch = async (url, options) => {
  const body = options.body ? JSON.parse(options.body) : null;
  sent.push({ method: options.method ?? 'GET', hasQuery: Boolean(body?.query) || String(url).includes('query=') });
  return fetch(url, options);
};
const sha256 = (query) => createHash('sha256').update(query).digest('hex');
const client = () =>
  new ApolloClient({
    link: createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
      new HttpLink({ uri, fetch: recordingFetch }),
    ),
    cache: new InMemoryCache(),
  });

const QUERY = gql`query NetworkName { network { name } }`;
const first = await client().query({ query: QUERY, fetchPolicy: 'network-only' });
const second = await client().query({ query: QUERY, fetchPolicy: 'network-only' });
console.log(JSON.stringify({ first: first.data, second: second.data, sent }));
const expected = [
  { method: 'GET', hasQuery: false },
  { method: 'POST', hasQuery: true },
  { method: 'GET', hasQuery: false },
];
if (JSON.stringify(sent) !== JSON.stringify(expected) || first.data.network.name !== second.data.network.name) {
  console.error(`expected requests ${JSON.stringify(expected)}`);
  process.exit(1);
}
