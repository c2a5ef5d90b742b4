import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ERROR_CATALOGUE, HashtagRecError, type ErrorCode } from "../core/errors.js";

/** The body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** Fastify's own error codes, mapped onto the one catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_FORMAT",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "INVALID_ARGUMENT",
  FST_ERR_CTP_EMPTY_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_INVALID_JSON_BODY: "INVALID_JSON",
};

/** Any error → `{ error: { code, message } }` with the catalogue's status; 5xx are logged. */
export function toErrorResponse(error: unknown, contentType?: string): { status: number; body: ErrorBody } {
  if (error instanceof HashtagRecError) return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return respond("INVALID_ARGUMENT", describeValidation(fastifyError));
  const code = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
  if (code === "UNSUPPORTED_FORMAT") return respond(code, `content type '${contentType ?? "none"}' is not supported; send application/json`);
  if (code !== undefined) return respond(code, fastifyError.message);
  return respond("INTERNAL", "internal error (logged on the server)");
}

/** One line that names the field and what is wrong with it, e.g. "body.k must be <= 100". */
function describeValidation(error: FastifyError): string {
  const context = error.validationContext ?? "request";
  const first = error.validation![0]!;
  const path = `${context}${first.instancePath.replace(/\//gu, ".")}`;
  const params = first.params as Record<string, unknown>;
  if (first.keyword === "additionalProperties") return `${path} has an unknown field '${String(params.additionalProperty)}'`;
  if (first.keyword === "required") return `${path} is missing the field '${String(params.missingProperty)}'`;
  return `${path} ${first.message ?? "is invalid"}`;
}

function respond(code: ErrorCode, message: string): { status: number; body: ErrorBody } {
  return { status: ERROR_CATALOGUE[code].status, body: { error: { code, message } } };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(error, request.headers["content-type"]);
  if (status >= 500) request.log.error({ err: error }, body.error.message);
  void reply.status(status).send(body);
}
