// Apollo Client's cache after each mutation of a running icn_graph server (core and its plugins),
// with no `update` function and no refetchQueries: what a screen shows from the cache must equal
// a fresh network-only fetch of the same query.
//
//   ICN_APOLLO_URL=http://127.0.0.1:8000/graphql \
//   ICN_APOLLO_TOKENS='{"staff": "...", "clinician": "...", "parent": "..."}' node cache_check.mjs
//
// Exit status 0 when every mutation passes (or is listed in REFETCH_NEEDED / NOT_RUN with why),
// 1 otherwise. The demo network's personas: staff@network.example.org, clinician@demo.example.org,
// parent@partners.example.org.
import { loadDevMessages, loadErrorMessages } from '@apollo/client/dev/index.js';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { buildClientSchema, getIntrospectionQuery, getNamedType } from 'graphql';

import { possibleTypesOf, typePoliciesOf } from './cache_config.mjs';

import { REFETCH_NEEDED, NOT_RUN, SCENARIOS } from './scenarios.mjs';
import { returnsObject, selectionFor, useSchema } from './selection.mjs';

loadDevMessages();
loadErrorMessages();

const url = process.argv[2] ?? process.env.ICN_APOLLO_URL;
const tokens = JSON.parse(process.argv[3] ?? process.env.ICN_APOLLO_TOKENS ?? '{}');
if (!url || !tokens.staff || !tokens.clinician || !tokens.parent) {
  console.error('usage: node cache_check.mjs URL \'{"staff": TOKEN, "clinician": TOKEN, "parent": TOKEN}\'');
  process.exit(2);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** fetch that waits out the server's cost budget (THROTTLED) instead of failing the check. */
async function patientFetch(input, init) {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(input, init);
    const body = await response.clone().json().catch(() => null);
    const throttled = body?.errors?.find((error) => error.extensions?.code === 'THROTTLED');
    if (!throttled || attempt >= 10) return response;
    await pause((throttled.extensions.retryAfterSeconds ?? 1) * 1000 + 100);
  }
}

async function raw(persona, query, variables = {}) {
  const response = await patientFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[persona]}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`${JSON.stringify(body.errors)}\n${query}`);
  return body.data;
}

const schema = buildClientSchema(
  (await raw('staff', getIntrospectionQuery({ descriptions: false }))),
);
useSchema(schema);

const possibleTypes = possibleTypesOf(schema);
const typePolicies = typePoliciesOf(schema);

const makeClient = (persona) =>
  new ApolloClient({
    link: new HttpLink({
      uri: url,
      headers: { authorization: `Bearer ${tokens[persona]}` },
      fetch: patientFetch,
    }),
    cache: new InMemoryCache({ possibleTypes, typePolicies }),
    defaultOptions: {
      watchQuery: { fetchPolicy: 'cache-first', errorPolicy: 'all' },
      query: { errorPolicy: 'all' },
    },
  });

const typeOfId = (id) => Buffer.from(id, 'base64url').toString('utf8').split(':')[0];

/** The query a screen has for `roots`: node IDs and/or 'viewer'. */
function screenQuery(roots) {
  const fields = roots.map((root, index) => {
    if (typeof root === 'object') return root.field;
    if (root === 'viewer') return `viewer { ${selectionFor(schema.getType('Viewer'), 1)} }`;
    const type = schema.getType(typeOfId(root));
    return `n${index}: node(id: "${root}") { id ... on ${type.name} { ${selectionFor(type, 1)} } }`;
  });
  return gql(`query Screen { ${fields.join(' ')} }`);
}

function mutationDocument(name) {
  const field = schema.getMutationType().getFields()[name];
  const payload = getNamedType(field.type);
  // The changed objects as deep as a screen shows them (the payload itself is one level).
  const selection = selectionFor(payload, 2);
  const inputArg = field.args.find((arg) => arg.name === 'input');
  if (!inputArg) return gql(`mutation Act { ${name} { ${selection} } }`);
  return gql(`mutation Act($input: ${inputArg.type}) { ${name}(input: $input) { ${selection} } }`);
}

function differences(expected, actual, path = '') {
  if (Object.is(expected, actual)) return [];
  if (typeof expected !== 'object' || typeof actual !== 'object' || expected === null || actual === null) {
    return [`${path || '(root)'}: cache ${JSON.stringify(actual)}, server ${JSON.stringify(expected)}`];
  }
  if (Array.isArray(expected) !== Array.isArray(actual)) return [`${path}: list vs object`];
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  return [...keys].flatMap((key) => differences(expected[key], actual[key], path ? `${path}.${key}` : key));
}

/** Whether a difference's path ("n0.viewer.person.following.totalCount: ...") runs through
 * `field` ("following", "viewer.registrations"). */
function touches(diff, field) {
  const path = `.${diff.split(':')[0]}.`;
  return path.includes(`.${field}.`);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Watch `roots` as a screen does; returns a function giving what the screen shows now. */
async function watch(client, roots) {
  const query = screenQuery(roots);
  const observable = client.watchQuery({ query });
  let stopWatching;
  let latest;
  await new Promise((resolve, reject) => {
    const subscription = observable.subscribe({
      next: (result) => {
        latest = result;
        if (!result.loading) resolve();
      },
      error: reject,
    });
    stopWatching = () => subscription.unsubscribe();
  });
  return {
    query,
    // What the screen reads from the cache now; when the cache cannot answer the query whole
    // (a payload replaced part of it), the screen keeps its last data and must refetch.
    shown: async () => {
      await settle();
      const read = client.readQuery({ query });
      return { data: read ?? latest?.data, complete: read !== null };
    },
    stop: () => stopWatching(),
  };
}

async function fresh(persona, query) {
  const client = makeClient(persona);
  const result = await client.query({ query, fetchPolicy: 'network-only' });
  return result.data;
}

/** Objects with an id in a payload: each must be normalised in the cache. */
function normalisedProblems(cache, value, path) {
  if (Array.isArray(value)) return value.flatMap((item, i) => normalisedProblems(cache, item, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const problems = [];
  if (value.id !== undefined) {
    const key = cache.identify(value);
    if (!key || !cache.extract()[key]) problems.push(`${path}: ${value.__typename} ${value.id} not normalised`);
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key !== '__typename') problems.push(...normalisedProblems(cache, inner, `${path}.${key}`));
  }
  return problems;
}

/** Payload fields: each mutation must hand back the changed object(s), not only ids. */
function payloadProblems(name) {
  const payload = getNamedType(schema.getMutationType().getFields()[name].type);
  const fields = Object.values(payload.getFields()).filter((field) => field.name !== 'userErrors');
  const objects = fields.filter(returnsObject);
  if (objects.length === 0 && !NOT_RUN[name]?.noObject) {
    return [`${payload.name} returns no object with an id (only ${fields.map((f) => f.name).join(', ')})`];
  }
  return [];
}

const results = [];
const state = {};
const mutationNames = Object.keys(schema.getMutationType().getFields());

for (const scenario of SCENARIOS) {
  if (!mutationNames.includes(scenario.mutation)) {
    results.push({ mutation: scenario.mutation, outcome: 'SKIPPED', detail: ['not in this server\'s schema'] });
    continue;
  }
  const persona = scenario.as;
  // A front-end that has just loaded the screen: its own cache, so one mutation's stale data
  // is never blamed on the next.
  const client = makeClient(persona);
  const problems = payloadProblems(scenario.mutation);
  let outcome;
  try {
    if (scenario.setup) await scenario.setup(state, raw);
    const roots = scenario.screen(state);
    const screen = await watch(client, roots);
    const { data, errors } = await client.mutate({
      mutation: mutationDocument(scenario.mutation),
      variables: scenario.input ? { input: scenario.input(state) } : {},
      errorPolicy: 'all',
    });
    const payload = data?.[scenario.mutation];
    if (errors?.length || !payload || payload.userErrors?.length) {
      throw new Error(`refused: ${JSON.stringify(errors ?? payload?.userErrors)}`);
    }
    if (scenario.after) scenario.after(state, payload);
    problems.push(...normalisedProblems(client.cache, payload, scenario.mutation));
    const shown = await screen.shown();
    const server = await fresh(persona, screen.query);
    screen.stop();
    if (!shown.complete) {
      const read = client.cache.diff({ query: screen.query, optimistic: false, returnPartialData: true });
      const missing = (read.missing ?? []).map((error) => error.message).join('; ');
      problems.push(`the cache cannot answer the screen's query any more: ${missing}`);
    }
    const diffs = differences(server, shown.data);
    const allowed = REFETCH_NEEDED[scenario.mutation];
    const unexpected = allowed
      ? diffs.filter((diff) => !allowed.fields.some((field) => touches(diff, field)))
      : diffs;
    problems.push(...unexpected);
    outcome = problems.length ? 'FAIL' : allowed && diffs.length ? 'REFETCH' : 'PASS';
    if (allowed && !diffs.length) {
      problems.push('(listed in REFETCH_NEEDED, but nothing on screen was stale this run)');
    }
    results.push({ mutation: scenario.mutation, outcome, detail: problems });
  } catch (error) {
    results.push({ mutation: scenario.mutation, outcome: 'FAIL', detail: [...problems, String(error.message ?? error)] });
  }
}

const covered = new Set(results.map((result) => result.mutation));
for (const name of mutationNames) {
  if (covered.has(name)) continue;
  if (NOT_RUN[name]) {
    results.push({ mutation: name, outcome: 'NOT_RUN', detail: [NOT_RUN[name].why, ...payloadProblems(name)] });
    if (payloadProblems(name).length) results.at(-1).outcome = 'FAIL';
  } else {
    results.push({ mutation: name, outcome: 'FAIL', detail: ['no scenario and not listed in NOT_RUN'] });
  }
}

for (const result of results) {
  const why = result.outcome === 'REFETCH' ? ` (${REFETCH_NEEDED[result.mutation].why})` : '';
  console.log(`${result.outcome.padEnd(8)} ${result.mutation}${why}`);
  for (const line of result.detail) console.log(`         ${line}`);
}
const count = (outcome) => results.filter((result) => result.outcome === outcome).length;
const summary = {
  mutations: mutationNames.length,
  passed: count('PASS'),
  refetchNeeded: count('REFETCH'),
  notRun: count('NOT_RUN'),
  failed: count('FAIL'),
};
console.log(JSON.stringify(summary));
process.exit(summary.failed ? 1 : 0);
