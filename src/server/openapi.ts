import { blendSchema, hashtagsSchema, healthSchema, readySchema, suggestSchema, tweetsSchema } from "./schemas.js";

type Schema = { summary: string; body?: unknown; querystring?: { properties: Record<string, unknown>; required?: readonly string[] }; response: Record<string, unknown> };

function operation(schema: Schema): Record<string, unknown> {
  const responses = Object.fromEntries(
    Object.entries(schema.response).map(([status, body]) => [status.toUpperCase(), { description: status, content: { "application/json": { schema: body } } }]),
  );
  return {
    summary: schema.summary,
    ...(schema.body ? { requestBody: { required: true, content: { "application/json": { schema: schema.body } } } } : {}),
    ...(schema.querystring
      ? {
          parameters: Object.entries(schema.querystring.properties).map(([name, property]) => ({
            name,
            in: "query",
            required: schema.querystring?.required?.includes(name) ?? false,
            schema: property,
          })),
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the HTTP API, built from the same schemas the routes validate with. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: { title: "hashtag-rec", version: "0.1.0", description: "Hashtag suggestions for drafts: a hashtag masked-LM blended with live trends." },
    paths: {
      "/v1/suggest": { post: operation(suggestSchema) },
      "/v1/hashtags": { get: operation(hashtagsSchema) },
      "/v1/tweets": { post: operation(tweetsSchema) },
      "/v1/blend": { get: operation(blendSchema) },
      "/healthz": { get: operation(healthSchema) },
      "/readyz": { get: operation(readySchema) },
      "/metrics": {
        get: {
          summary: "Prometheus metrics: requests by route and status, their durations, ingests, model batches, store_up, process (with serve --workers, every worker's series, labelled worker)",
          responses: { "200": { description: "200", content: { "text/plain": { schema: { type: "string" } } } } },
        },
      },
    },
  };
}
