// The HTTP scaffolding every emulator shares (the generic OAuth server and each provider's): a route table on
// 127.0.0.1:0, JSON and form bodies, per-route counters, a request log without bodies, and fault injection.
// Emulators add only their wire facts on top of it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Clock } from "./clock.js";
import { ManualClock } from "./manual-clock.js";

export interface EmulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** Parsed body: JSON value, form fields as an object, or undefined. */
  body: unknown;
  /** "json", "form", "none" or "other". */
  bodyFormat: "json" | "form" | "none" | "other";
  rawBody: string;
  /** Path parameters captured by a RegExp route's named groups. */
  params: Record<string, string>;
}

export interface EmulatorResponse {
  status: number;
  /** Serialised as JSON unless `html` or `text` is given. */
  body?: unknown;
  html?: string;
  text?: string;
  headers?: Record<string, string>;
}

export interface EmulatorRoute {
  /** Name used by counters and faults, e.g. "token". */
  name: string;
  method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  /** Exact path or a RegExp (named groups become `params`). */
  path: string | RegExp;
  handler: (request: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;
}

export type Fault =
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: "rate_limit"; retryAfterSeconds: number; body?: unknown }
  | { kind: "delay"; ms: number }
  | { kind: "malformed" }
  | { kind: "disconnect" }
  /** A 200 JSON body of `bytes` bytes streamed in 64 KiB chunks as the client reads them (hostile or broken provider). */
  | { kind: "oversized"; bytes: number; declareLength?: boolean }
  /** A raw text body, e.g. deeply nested JSON. */
  | { kind: "text"; status: number; text: string };

export interface EmulatorLogEntry {
  route: string;
  method: string;
  path: string;
  status: number;
  /** Body bytes written before the answer ended or the client went away (oversized faults only). */
  bytesSent?: number;
}

/** A running emulator; `clock` is the one it was started with (a ManualClock unless another `Clock` was given). */
export interface EmulatorServer<C extends Clock = ManualClock> {
  readonly url: string;
  readonly clock: C;
  /** Calls per route name, faulted ones included. */
  readonly counters: Record<string, number>;
  /** Every request: route, method, path, status (no bodies, so no secrets). */
  readonly log: EmulatorLogEntry[];
  /** The next `times` calls of `route` get `fault` instead of the real answer (a delay still answers after it). */
  fault(route: string, fault: Fault, times?: number): void;
  clearFaults(): void;
  resetCounters(): void;
  close(): Promise<void>;
}

export interface EmulatorServerOptions<C extends Clock = ManualClock> {
  routes: EmulatorRoute[];
  /** Where the emulator reads time. @default a new ManualClock */
  clock?: C;
  /** Fixed port; 0 picks a free one. @default 0 */
  port?: number;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseBody(raw: string, contentType: string | undefined): Pick<EmulatorRequest, "body" | "bodyFormat"> {
  if (!raw) return { body: undefined, bodyFormat: "none" };
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") {
    try {
      return { body: JSON.parse(raw) as unknown, bodyFormat: "json" };
    } catch {
      return { body: undefined, bodyFormat: "other" };
    }
  }
  if (type === "application/x-www-form-urlencoded") {
    return { body: Object.fromEntries(new URLSearchParams(raw)), bodyFormat: "form" };
  }
  return { body: raw, bodyFormat: "other" };
}

function send(response: ServerResponse, answer: EmulatorResponse): void {
  const headers: Record<string, string> = { "cache-control": "no-store", ...answer.headers };
  let payload = "";
  if (answer.html !== undefined) {
    headers["content-type"] ??= "text/html; charset=utf-8";
    payload = answer.html;
  } else if (answer.text !== undefined) {
    headers["content-type"] ??= "text/plain; charset=utf-8";
    payload = answer.text;
  } else if (answer.body !== undefined) {
    headers["content-type"] ??= "application/json";
    payload = JSON.stringify(answer.body);
  }
  response.writeHead(answer.status, headers);
  response.end(payload);
}

/** Writes `{"access_token":"xxxx…"}` of `bytes` bytes, one 64 KiB chunk at a time, waiting for the client to drain. */
async function streamOversized(response: ServerResponse, bytes: number, declareLength: boolean, progress: (sent: number) => void): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, "x");
  const head = Buffer.from('{"access_token":"');
  response.writeHead(200, { "content-type": "application/json", ...(declareLength ? { "content-length": String(bytes) } : {}) });
  let sent = 0;
  const write = (data: Buffer) =>
    new Promise<boolean>((resolve) => {
      if (response.destroyed || response.writableEnded) return resolve(false);
      sent += data.byteLength;
      progress(sent);
      if (response.write(data)) return resolve(true);
      const done = (ok: boolean) => {
        response.off("drain", onDrain);
        response.off("close", onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      response.once("drain", onDrain);
      response.once("close", onClose);
    });
  if (!(await write(head))) return;
  while (sent + chunk.byteLength + 2 < bytes) if (!(await write(chunk))) return;
  if (await write(Buffer.from('"}'))) response.end();
}

export async function startEmulatorServer<C extends Clock = ManualClock>(options: EmulatorServerOptions<C>): Promise<EmulatorServer<C>> {
  const clock = options.clock ?? defaultClock<C>();
  const counters: Record<string, number> = {};
  const log: EmulatorLogEntry[] = [];
  const faults = new Map<string, Array<{ fault: Fault; remaining: number }>>();
  const sockets = new Set<Socket>();

  const match = (method: string, path: string) => {
    for (const route of options.routes) {
      if (route.method !== method) continue;
      if (typeof route.path === "string") {
        if (route.path === path) return { route, params: {} };
      } else {
        const found = route.path.exec(path);
        if (found && found[0] === path) return { route, params: { ...found.groups } };
      }
    }
    return undefined;
  };

  const takeFault = (name: string): Fault | undefined => {
    const queue = faults.get(name);
    const head = queue?.[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue!.shift();
    return head.fault;
  };

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = (request.method ?? "GET").toUpperCase();
    const found = match(method, url.pathname);
    const raw = await readBody(request);
    if (!found) {
      log.push({ route: "not_found", method, path: url.pathname, status: 404 });
      send(response, { status: 404, body: { error: "not_found" } });
      return;
    }
    const { route, params } = found;
    counters[route.name] = (counters[route.name] ?? 0) + 1;
    const fault = takeFault(route.name);
    if (fault?.kind === "disconnect") {
      log.push({ route: route.name, method, path: url.pathname, status: 0 });
      request.socket.destroy();
      return;
    }
    if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === "oversized") {
      const entry: EmulatorLogEntry = { route: route.name, method, path: url.pathname, status: 200, bytesSent: 0 };
      log.push(entry);
      await streamOversized(response, fault.bytes, fault.declareLength ?? false, (sent) => void (entry.bytesSent = sent));
      return;
    }
    let answer: EmulatorResponse;
    if (fault?.kind === "status") {
      answer = { status: fault.status, body: fault.body ?? { error: "server_error" }, ...(fault.headers ? { headers: fault.headers } : {}) };
    } else if (fault?.kind === "rate_limit") {
      answer = { status: 429, body: fault.body ?? { error: "rate_limited" }, headers: { "retry-after": String(fault.retryAfterSeconds) } };
    } else if (fault?.kind === "text") {
      answer = { status: fault.status, text: fault.text, headers: { "content-type": "application/json" } };
    } else if (fault?.kind === "malformed") {
      answer = { status: 200, text: "{\"access_token\": <html>not json", headers: { "content-type": "application/json" } };
    } else {
      try {
        answer = await route.handler({
          method,
          path: url.pathname,
          query: url.searchParams,
          headers: request.headers,
          rawBody: raw,
          params,
          ...parseBody(raw, request.headers["content-type"]),
        });
      } catch (error) {
        answer = { status: 500, body: { error: "emulator_error", detail: error instanceof Error ? error.message : String(error) } };
      }
    }
    log.push({ route: route.name, method, path: url.pathname, status: answer.status });
    if (!response.destroyed) send(response, answer);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    clock,
    counters,
    log,
    fault(name, fault, times = 1) {
      const queue = faults.get(name) ?? [];
      queue.push({ fault, remaining: times });
      faults.set(name, queue);
    },
    clearFaults: () => faults.clear(),
    resetCounters() {
      for (const key of Object.keys(counters)) delete counters[key];
      log.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads HTTP Basic client credentials, or undefined. */
export function basicCredentials(headers: IncomingMessage["headers"]): { id: string; secret: string } | undefined {
  const value = headers.authorization;
  if (!value?.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(value.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** The bearer token of a request, or undefined. */
export function bearerToken(headers: IncomingMessage["headers"]): string | undefined {
  const value = headers.authorization;
  return value?.startsWith("Bearer ") ? value.slice(7) : undefined;
}

/**
 * Submits a consent form as a browser does (form-encoded POST, redirect not followed): the redirect target, or
 * undefined and the answer's text when the emulator did not redirect.
 */
export async function submitForm(url: string | URL, fields: URLSearchParams | Record<string, string>): Promise<{ location: string | undefined; status: number; text: string }> {
  const answer = await fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: fields instanceof URLSearchParams ? fields : new URLSearchParams(fields),
  });
  const location = answer.headers.get("location") ?? undefined;
  return { location, status: answer.status, text: location ? "" : await answer.text() };
}

/** Escapes text for the consent pages' HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);
}

/** The clock of an emulator started without one: a ManualClock, which is what `C` defaults to. */
export function defaultClock<C extends Clock>(): C {
  return new ManualClock() as unknown as C;
}
