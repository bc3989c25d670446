/**
 * What an SDK failure says to the user when the endpoint's answer is not AWS's: an HTML error page
 * from an emulator (moto answers a failed or unimplemented operation with a bare HTTP 500) or from a
 * proxy. The SDK's own words ("XML parse error: mismatched tags <html> and </title>") say nothing
 * useful; the HTTP status and the page's title do. A real SDK client talks to a loopback server.
 */
// These tests construct SDK clients themselves (the CLI's createAwsClients would quiet this).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDeployError } from '../../src/deploy/awsErrors.js';

let answer: { status: number; type: string; body: string };
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(answer.status, { 'content-type': answer.type });
    res.end(answer.body);
  });
});
let client: CloudFormationClient;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  client = new CloudFormationClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise((r) => server.close(r));
});

async function sdkFailure(): Promise<unknown> {
  try {
    await client.send(new DescribeStacksCommand({ StackName: 'mf-test' }));
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('toDeployError for answers that are not from AWS', () => {
  it("an emulator's HTML 500 page: the status and the page title, and where to look", async () => {
    answer = {
      status: 500,
      type: 'text/html; charset=utf-8',
      body: '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error.</p>\n',
    };
    const error = toDeployError(await sdkFailure(), 'execute the change set');
    expect({ code: error.code, message: error.message, hint: error.hint }).toMatchInlineSnapshot(`
      {
        "code": "AWS_ERROR",
        "hint": "check --endpoint-url / AWS_ENDPOINT_URL and any proxy between here and AWS; an emulator (moto, LocalStack) answers like this when the operation failed inside it or is not implemented: see its log",
        "message": "failed to execute the change set: the endpoint answered HTTP 500 (500 Internal Server Error), not an AWS API response",
      }
    `);
  });

  it("a proxy's plain-text 502: the status and the first line", async () => {
    answer = { status: 502, type: 'text/plain', body: 'upstream connect error\nreset reason: connection failure\n' };
    expect(toDeployError(await sdkFailure(), 'describe the stack').message).toBe(
      'failed to describe the stack: the endpoint answered HTTP 502 (upstream connect error), not an AWS API response',
    );
  });

  it("AWS's own error answers keep their name and message", async () => {
    answer = {
      status: 400,
      type: 'text/xml',
      body:
        '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>' +
        '<Code>ValidationError</Code><Message>Stack with id mf-test does not exist</Message></Error>' +
        '<RequestId>5ccc7dcd-744c-11e5-be70-example</RequestId></ErrorResponse>',
    };
    const error = toDeployError(await sdkFailure(), 'describe the stack');
    expect({ code: error.code, message: error.message, hint: error.hint }).toEqual({
      code: 'AWS_ERROR',
      message: 'failed to describe the stack: ValidationError: Stack with id mf-test does not exist',
      hint: undefined,
    });
  });
});
