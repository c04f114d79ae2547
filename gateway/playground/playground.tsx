import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/graphiql.css';
import { createClient, type Client } from 'graphql-ws';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import './layout.css';

const API_KEY_STORAGE_KEY = 'markethub.apiKey';

const DEFAULT_QUERY = `# Paste your API key above, then run with Ctrl-Enter.
{
  me {
    organisationId
    role
    scopes
  }
}

# The metering points you may see, a page at a time:
#
# {
#   meteringPoints(first: 10) {
#     totalCount
#     edges {
#       node {
#         id
#         customerClass
#         contractedPowerKva
#         pvCapacityKwp
#       }
#     }
#     pageInfo { hasNextPage endCursor }
#   }
# }
`;

function readStoredKey(): string {
  // Storage can throw (e.g. disabled cookies, sandboxed iframe); the playground must still load.
  try {
    return localStorage.getItem(API_KEY_STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

function storeKey(apiKey: string): void {
  try {
    if (apiKey) localStorage.setItem(API_KEY_STORAGE_KEY, apiKey);
    else localStorage.removeItem(API_KEY_STORAGE_KEY);
  } catch {
    // Not persisting is acceptable: the key still works for this page.
  }
}

function createFetcher(apiKey: string): { fetcher: Fetcher; wsClient: Client } {
  const { protocol, host } = window.location;
  const wsClient = createClient({
    url: `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/graphql`,
    // A function is evaluated on every (re)connect rather than once at creation.
    connectionParams: () => ({ apiKey }),
  });
  const fetcher = createGraphiQLFetcher({
    url: `${protocol}//${host}/graphql`,
    wsClient,
    headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
  });
  return { fetcher, wsClient };
}

function Playground() {
  // The draft is what is being typed; the key is applied on Enter or blur so that GraphiQL
  // does not re-run schema introspection (and fail auth) on every keystroke.
  const [draftKey, setDraftKey] = useState(readStoredKey);
  const [apiKey, setApiKey] = useState(draftKey);

  const { fetcher, wsClient } = useMemo(() => createFetcher(apiKey), [apiKey]);
  // Closing the old socket ends subscriptions that were authorised with the previous key.
  useEffect(() => () => void wsClient.dispose(), [wsClient]);

  const applyKey = () => {
    const trimmed = draftKey.trim();
    storeKey(trimmed);
    setApiKey(trimmed);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    applyKey();
  };

  return (
    <div className="mh-shell">
      <header className="mh-header">
        <h1 className="mh-title">Market Hub</h1>
        <form className="mh-key" onSubmit={onSubmit}>
          <label htmlFor="mh-api-key">API key</label>
          <input
            id="mh-api-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="paste your API key"
            value={draftKey}
            onChange={(event) => setDraftKey(event.target.value)}
            onBlur={applyKey}
          />
        </form>
      </header>
      <main className="mh-graphiql">
        <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} />
      </main>
    </div>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('playground: #root element missing from the page');
createRoot(root).render(<Playground />);
