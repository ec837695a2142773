// A `fetch` that records every request and response passing through it, as a
// client developer would see them in the browser's network panel.

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string | null;
}

export interface RecordedResponse {
  status: number;
  headers: Headers;
  body: string;
}

export interface RecordedExchange {
  request: RecordedRequest;
  response: RecordedResponse;
}

export interface RecordingFetch {
  fetch: typeof fetch;
  log: RecordedExchange[];
}

export function recordingFetch(inner: typeof fetch = globalThis.fetch): RecordingFetch {
  const log: RecordedExchange[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const asRequest = input instanceof Request ? input : null;
    const request: RecordedRequest = {
      method: (init?.method ?? asRequest?.method ?? 'GET').toUpperCase(),
      url: new URL(asRequest ? asRequest.url : String(input)),
      headers: new Headers(init?.headers ?? asRequest?.headers),
      body: typeof init?.body === 'string' ? init.body : null,
    };
    const response = await inner(input, init);
    const body = await response.clone().text();
    log.push({
      request,
      response: { status: response.status, headers: new Headers(response.headers), body },
    });
    return response;
  };
  return { fetch: wrapped, log };
}

/** The GraphQL-over-HTTP parameters of a recorded GET (or POST) request. */
export function graphqlParams(request: RecordedRequest): {
  query: string | null;
  operationName: string | null;
  variables: unknown;
  extensions: any;
} {
  if (request.method === 'GET') {
    const p = request.url.searchParams;
    const json = (name: string) => (p.has(name) ? JSON.parse(p.get(name)!) : null);
    return {
      query: p.get('query'),
      operationName: p.get('operationName'),
      variables: json('variables'),
      extensions: json('extensions'),
    };
  }
  const body = JSON.parse(request.body ?? '{}');
  return {
    query: body.query ?? null,
    operationName: body.operationName ?? null,
    variables: body.variables ?? null,
    extensions: body.extensions ?? null,
  };
}
