/**
 * Request bodies of the identity APIs (TokenRequest, TokenReview): JSON or YAML objects, refused with
 * the server's 400 wording when they do not decode.
 */
import type { IncomingMessage } from 'node:http';
import yaml from 'js-yaml';
import { ApiError } from '../cluster/ApiError.js';
import { requestBodyFormat } from './mediaTypes.js';
import { decodeProtobufBody } from './protobufBodies.js';

export async function readObjectBody(req: IncomingMessage, raw: Buffer, kind: string): Promise<Record<string, unknown>> {
  const format = requestBodyFormat(req.headers['content-type'], false);
  let value: unknown;
  try {
    value = format === 'protobuf' ? decodeProtobufBody(raw) : format === 'yaml' ? yaml.load(raw.toString('utf8')) : raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw ApiError.badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw ApiError.badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: expected object`);
  }
  return value as Record<string, unknown>;
}
